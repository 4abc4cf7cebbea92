package io.cream.eval.chart;

import io.cream.eval.CellSummary;
import io.cream.eval.EvalResults;
import io.cream.eval.Numbers;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/** The chart each task draws from its results, for one run or several side by side. */
public final class ResultCharts {
  public static final int WIDTH = 800;
  public static final int HEIGHT = 500;
  private static final double[] ACCURACY_RANGE = {0, 1.05};

  private ResultCharts() {}

  /** A labelled run, for charts that compare runs. */
  public record Run(String label, EvalResults results) {}

  /** The chart of one run: heatmap (passkey, needle) or lines (kv, lines, ppl). */
  public static JFreeChart forRun(EvalResults r) {
    return switch (r.task()) {
      case "passkey", "needle" -> heatmap(r, r.task() + " — " + r.model());
      default -> compare(r.task(), List.of(new Run(r.model(), r)));
    };
  }

  /** The headline score (needle: ROUGE-L F1, else accuracy) over length × depth. */
  public static JFreeChart heatmap(EvalResults r, String title) {
    List<Double> lengths = r.cells().stream().map(c -> (double) c.length()).distinct().sorted().toList();
    List<Double> depths = r.cells().stream().map(c -> c.position() == null ? 0.0 : c.position()).distinct().sorted().toList();
    double[][] acc = new double[lengths.size()][depths.size()];
    for (double[] row : acc) java.util.Arrays.fill(row, Double.NaN);
    for (CellSummary c : r.cells()) {
      if (c.headline() == null) continue;
      acc[lengths.indexOf((double) c.length())][depths.indexOf(c.position() == null ? 0.0 : c.position())] = c.headline();
    }
    return HeatmapChart.create(title, "length (" + r.lengthUnit() + ")", HeatmapChart.ticks(lengths), "depth (%)",
        HeatmapChart.ticks(depths), acc, scoreLabel(r));
  }

  /** What a run's headline score is called. */
  public static String scoreLabel(EvalResults r) {
    return r.cells().stream().anyMatch(c -> c.rougeL() != null) ? "ROUGE-L F1" : "accuracy";
  }

  /** One chart with a series per run (kv: per run and key count). */
  public static JFreeChart compare(String task, List<Run> runs) {
    boolean relative = task.equals("kv") && runs.stream().flatMap(r -> r.results().cells().stream())
        .map(CellSummary::length).distinct().count() > 1;
    List<SeriesChart.Series> series = new ArrayList<>();
    for (Run run : runs) series.addAll(series(run, relative));
    return switch (task) {
      case "kv" -> SeriesChart.createNumeric("kv retrieval — accuracy by gold position",
          relative ? "gold position (% of the way from the first pair to the last)" : "gold position (index of the asked pair)",
          "accuracy", series, ACCURACY_RANGE);
      case "ppl" -> SeriesChart.create("perplexity by length", "length (tokens)", "perplexity", series, null,
          SeriesChart.wantsLog(series));
      default -> {
        String score = runs.stream().anyMatch(r -> scoreLabel(r.results()).equals("ROUGE-L F1")) ? "ROUGE-L F1" : "accuracy";
        yield SeriesChart.create(task + " — " + score + " by length", "length (tokens)", score, series, ACCURACY_RANGE, false);
      }
    };
  }

  /**
   * A run's lines: kv accuracy by gold position (one per key count; as a percentage of the object
   * when {@code relative}, so different key counts share an axis), ppl by length, and the headline
   * score by length for the others (passkey and needle averaged over depths).
   */
  public static List<SeriesChart.Series> series(Run run, boolean relative) {
    EvalResults r = run.results();
    return switch (r.task()) {
      case "kv" -> {
        Map<Integer, List<CellSummary>> byKeys = new TreeMap<>();
        for (CellSummary c : r.cells()) byKeys.computeIfAbsent(c.length(), k -> new ArrayList<>()).add(c);
        List<SeriesChart.Series> out = new ArrayList<>();
        for (var e : byKeys.entrySet()) {
          int keys = e.getKey();
          SortedMap<Double, Double> points = new TreeMap<>();
          for (CellSummary c : e.getValue()) {
            if (c.accuracy() == null) continue;
            double x = relative ? Math.round(1000.0 * c.position() / Math.max(1, keys - 1)) / 10.0 : c.position();
            points.put(x, c.accuracy());
          }
          out.add(new SeriesChart.Series(run.label() + ", " + keys + " keys", points));
        }
        yield out;
      }
      case "ppl" -> List.of(new SeriesChart.Series(run.label(), byLength(r, c -> c.perplexity() == null ? Double.NaN : c.perplexity())));
      default -> List.of(new SeriesChart.Series(run.label(), byLength(r, c -> c.headline() == null ? Double.NaN : c.headline())));
    };
  }

  /** Mean of a cell value by length (over positions, weighted by samples), NaN values skipped. */
  public static SortedMap<Double, Double> byLength(EvalResults r, ToDoubleFunction<CellSummary> value) {
    Map<Double, double[]> sums = new TreeMap<>();
    for (CellSummary c : r.cells()) {
      double v = value.applyAsDouble(c);
      if (Double.isNaN(v) || c.n() == 0) continue;
      double[] s = sums.computeIfAbsent((double) c.length(), k -> new double[2]);
      s[0] += v * c.n();
      s[1] += c.n();
    }
    SortedMap<Double, Double> out = new TreeMap<>();
    sums.forEach((x, s) -> out.put(x, s[0] / s[1]));
    return out;
  }

  public static void writePng(JFreeChart chart, Path file) throws IOException {
    byte[] png = png(chart);
    io.cream.util.AtomicFiles.write(file, out -> out.write(png));
  }

  /** The chart as PNG bytes at the standard size. */
  public static byte[] png(JFreeChart chart) throws IOException {
    BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
    return ChartUtils.encodeAsPNG(image);
  }

  /** "0.85" style label for tables, "–" for missing. */
  public static String label(Double v, int decimals) {
    return v == null || v.isNaN() ? "–" : Numbers.fixed(v, decimals);
  }
}
