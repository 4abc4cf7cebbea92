package io.cream.eval.report;

import io.cream.eval.EvalResults;
import io.cream.eval.chart.ResultCharts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A results file with the short label the report shows for it. */
public record LabeledRun(String label, Path file, EvalResults results) {

  public ResultCharts.Run asChartRun() {
    return new ResultCharts.Run(label, results);
  }

  /**
   * Labels runs by model name (plus the RoPE override); runs of one task that would share a label
   * get their folder added (relative to the folder all results share), then a number if that is
   * not enough.
   */
  public static List<LabeledRun> label(List<Path> files, List<EvalResults> results) {
    List<String> labels = new ArrayList<>();
    for (EvalResults r : results) labels.add(r.model() + (r.ropeOverride() == null ? "" : " [" + r.ropeOverride() + "]"));
    Path common = commonFolder(files);
    disambiguate(labels, results, i -> {
      Path dir = files.get(i).toAbsolutePath().getParent();
      String rel = common == null ? dir.toString() : common.relativize(dir).toString();
      return rel.isEmpty() ? "" : " (" + rel + ")";
    });
    disambiguate(labels, results, i -> " #" + (i + 1));
    List<LabeledRun> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) out.add(new LabeledRun(labels.get(i), files.get(i), results.get(i)));
    return out;
  }

  /** The deepest folder holding every file, or null if they share none. */
  private static Path commonFolder(List<Path> files) {
    Path common = null;
    for (Path f : files) {
      Path dir = f.toAbsolutePath().getParent();
      if (common == null) {
        common = dir;
        continue;
      }
      while (common != null && !dir.startsWith(common)) common = common.getParent();
    }
    return common;
  }

  private static void disambiguate(List<String> labels, List<EvalResults> results, java.util.function.IntFunction<String> suffix) {
    Map<String, Integer> count = new HashMap<>();
    for (int i = 0; i < labels.size(); i++) count.merge(results.get(i).task() + "\0" + labels.get(i), 1, Integer::sum);
    for (int i = 0; i < labels.size(); i++) {
      if (count.get(results.get(i).task() + "\0" + labels.get(i)) > 1) labels.set(i, labels.get(i) + suffix.apply(i));
    }
  }
}
