package io.cream.compare;

import io.cream.eval.CellSummary;
import io.cream.eval.EvalResults;
import io.cream.eval.report.HtmlReport;
import io.cream.eval.report.LabeledRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * report.html: the project's {@link HtmlReport} with one entry per run, its seeds averaged (one
 * heatmap per run for passkey and needle, one line per run for kv, lines and ppl). The per-seed
 * results stay in the run folders; `cream report DIR/runs` shows each of them.
 */
final class CompareReport {
  private CompareReport() {}

  static String render(ComparePlan plan, Layout layout, Summary.Source source) throws IOException {
    List<LabeledRun> runs = new ArrayList<>();
    for (EvalSpec eval : plan.evals()) {
      for (RunSpec run : plan.runs()) {
        List<EvalResults> rs = new ArrayList<>();
        if (run.finetunes()) for (long seed : plan.seeds()) rs.add(source.results(run, seed, eval));
        else rs.add(source.results(run, null, eval));
        String label = run.name() + (rs.size() > 1 ? " (mean of " + rs.size() + " seeds)" : "");
        runs.add(new LabeledRun(label, layout.modelFolder(run, null), seedMean(run, rs)));
      }
    }
    int finetuned = (int) plan.runs().stream().filter(RunSpec::finetunes).count();
    String title = "cream compare: " + plan.runs().size() + " runs (" + finetuned + " fine-tuned × "
        + plan.seeds().size() + " seeds) from " + plan.base().getFileName();
    return HtmlReport.render(runs, title);
  }

  /**
   * The seeds' results as one: per cell (same length and position in every seed, the same eval
   * seed and so the same prompts) the mean of accuracy, partial credit and perplexity over seeds,
   * the samples and seconds summed. Per-sample records are left out (they differ by seed).
   */
  static EvalResults seedMean(RunSpec run, List<EvalResults> seeds) {
    EvalResults first = seeds.getFirst();
    if (seeds.size() == 1) return rename(first, run.name(), first.cells());
    Map<String, List<CellSummary>> byCell = new LinkedHashMap<>();
    for (EvalResults r : seeds) {
      for (CellSummary c : r.cells()) byCell.computeIfAbsent(c.length() + "@" + c.position(), k -> new ArrayList<>()).add(c);
    }
    List<CellSummary> cells = new ArrayList<>();
    for (List<CellSummary> cs : byCell.values()) {
      CellSummary c0 = cs.getFirst();
      cells.add(new CellSummary(c0.length(), c0.position(), cs.stream().mapToInt(CellSummary::n).sum(),
          mean(cs, CellSummary::accuracy), mean(cs, CellSummary::partial), mean(cs, CellSummary::rougeL),
          mean(cs, CellSummary::perplexity),
          cs.stream().mapToDouble(CellSummary::meanPromptTokens).average().orElse(0),
          cs.stream().mapToDouble(CellSummary::seconds).sum(),
          cs.stream().mapToDouble(CellSummary::tokensPerSecond).average().orElse(0)));
    }
    return rename(first, run.name(), cells);
  }

  private static EvalResults rename(EvalResults r, String model, List<CellSummary> cells) {
    return new EvalResults(r.schemaVersion(), r.task(), model, r.ropeOverride(), r.seed(), r.lengthUnit(),
        r.positionAxis(), r.options(), null, r.complete(), cells, List.of(), r.timings(), r.creamVersion(), r.date());
  }

  private static Double mean(List<CellSummary> cs, java.util.function.Function<CellSummary, Double> f) {
    double sum = 0;
    int n = 0;
    for (CellSummary c : cs) {
      Double v = f.apply(c);
      if (v == null || c.n() == 0) continue;
      sum += v;
      n++;
    }
    return n == 0 ? null : sum / n;
  }
}
