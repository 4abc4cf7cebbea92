package io.cream.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.eval.CellSummary;
import io.cream.eval.EvalOptions;
import io.cream.eval.EvalResults;
import io.cream.util.Json;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The summary's means and spreads over seeds, from hand-made results.json files. */
class SummaryTest {
  @TempDir Path tmp;
  static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());
  static final Finetune FT = new Finetune(10, 1, 1, 1e-3, 0, "linear", 0, 0.9, 0.999, 1e-8, 1, 3, "per-sample", 3000, "documents", false, 0, "float32");
  static final RunSpec CREAM = new RunSpec("cream-linear", "cream", "linear", 8, 32, FT);
  static final RunSpec PI = new RunSpec("pi", "none", "linear", 8, 32, null);
  static final EvalSpec PASSKEY = new EvalSpec("passkey", EvalOptions.defaults().withLengths(List.of(100, 200))
      .withDepths(List.of(0.0, 100.0)), Integer.MAX_VALUE);
  static final EvalSpec KV = new EvalSpec("kv", EvalOptions.defaults().withKeys(List.of(4, 8)), Integer.MAX_VALUE);
  static final EvalSpec PPL = new EvalSpec("ppl", EvalOptions.defaults().withLengths(List.of(32, 64))
      .withDataDir(Path.of("/docs")), Integer.MAX_VALUE);
  static final ComparePlan PLAN = new ComparePlan(Path.of("/models/base"), Path.of("/data"), 32, 8,
      List.of(0L, 1L, 2L), FT, List.of(PI, CREAM), List.of(PASSKEY, KV, PPL));

  /** Passkey accuracies of cells (100, 0%), (100, 100%), (200, 0%), (200, 100%), 2 samples each. */
  static final double[][] CREAM_PASSKEY = {{1.0, 0.5, 0.5, 0.0}, {1.0, 1.0, 0.5, 0.5}, {0.5, 0.5, 0.0, 0.0}};

  static EvalResults results(String task, String axis, List<CellSummary> cells) {
    return new EvalResults(1, task, "m", null, 42, task.equals("kv") ? "keys" : "tokens", axis,
        EvalOptions.defaults(), null, true, cells, List.of(), new EvalResults.Timings(1, 1, 1, 1), "test", "2026-01-01T00:00:00Z");
  }

  static CellSummary acc(int length, Double position, int n, double accuracy) {
    return new CellSummary(length, position, n, accuracy, null, null, null, length, 0.1, 100);
  }

  static CellSummary ppl(int length, double perplexity) {
    return new CellSummary(length, null, 1, null, null, null, perplexity, length, 0.1, 100);
  }

  void write(Layout layout, RunSpec run, Long seed, EvalSpec eval, EvalResults r) throws Exception {
    Path f = layout.results(new Unit(run, seed, eval));
    Files.createDirectories(f.getParent());
    Json.writeAtomically(f, r);
  }

  Layout handMade() throws Exception {
    Layout layout = new Layout(tmp.resolve("out"));
    for (int s = 0; s < 3; s++) {
      double[] a = CREAM_PASSKEY[s];
      write(layout, CREAM, (long) s, PASSKEY, results("passkey", "depth_percent",
          List.of(acc(100, 0.0, 2, a[0]), acc(100, 100.0, 2, a[1]), acc(200, 0.0, 2, a[2]), acc(200, 100.0, 2, a[3]))));
      // kv: 4 keys (gold 0 and 3), 8 keys (gold 0 and 7); the 8-key gold-0 cell has 3 samples.
      write(layout, CREAM, (long) s, KV, results("kv", "gold_index",
          List.of(acc(4, 0.0, 1, 1.0), acc(4, 3.0, 1, s / 2.0), acc(8, 0.0, 3, 1 / 3.0), acc(8, 7.0, 1, 1.0))));
      write(layout, CREAM, (long) s, PPL, results("ppl", "none", List.of(ppl(32, 10 + s), ppl(64, 20 + 2 * s))));
    }
    write(layout, PI, null, PASSKEY, results("passkey", "depth_percent",
        List.of(acc(100, 0.0, 2, 0.5), acc(100, 100.0, 2, 0.5), acc(200, 0.0, 2, 0.0), acc(200, 100.0, 2, 0.0))));
    write(layout, PI, null, KV, results("kv", "gold_index",
        List.of(acc(4, 0.0, 1, 0.0), acc(4, 3.0, 1, 0.0), acc(8, 0.0, 3, 0.0), acc(8, 7.0, 1, 0.0))));
    write(layout, PI, null, PPL, results("ppl", "none", List.of(ppl(32, 50), ppl(64, 500))));
    return layout;
  }

  static Summary.Stat stat(Summary.Table t, String run, String column) {
    int row = t.rows().stream().map(Summary.Row::run).toList().indexOf(run);
    int col = t.columns().stream().map(Summary.Column::label).toList().indexOf(column);
    return t.rows().get(row).values().get(col);
  }

  @Test
  void meansAndSpreadsOverSeeds() throws Exception {
    Layout layout = handMade();
    Summary s = Summary.of(PLAN, (run, seed, eval) -> EvalResults.read(Outputs.resultsFile(layout, run, seed, eval)));
    // The hand-made passkey cells have no partial credit, so that table is left out.
    assertEquals(List.of("passkey", "kv", "kv", "ppl"), s.tables().stream().map(Summary.Table::task).toList());

    Summary.Table passkey = s.tables().getFirst();
    assertEquals(List.of("100", "200", "depth 0%", "depth 100%", "mean"),
        passkey.columns().stream().map(Summary.Column::label).toList());
    // Length 100 per seed: (1 + .5)/2, (1 + 1)/2, (.5 + .5)/2 → .75, 1, .5.
    assertEquals(new Summary.Stat(0.75, 0.5, 1.0, List.of(0.75, 1.0, 0.5)), stat(passkey, "cream-linear", "100"));
    assertEquals(new Summary.Stat(0.25, 0.0, 0.5, List.of(0.25, 0.5, 0.0)), stat(passkey, "cream-linear", "200"));
    Summary.Stat depth0 = stat(passkey, "cream-linear", "depth 0%");
    assertEquals(List.of(0.75, 0.75, 0.25), depth0.perSeed());
    assertEquals(1.75 / 3, depth0.mean(), 1e-12);
    assertEquals(new Summary.Stat(0.5, 0.25, 0.75, List.of(0.5, 0.75, 0.25)), stat(passkey, "cream-linear", "mean"));
    assertEquals(new Summary.Stat(0.5, 0.5, 0.5, List.of(0.5)), stat(passkey, "pi", "100"));

    // kv: a table per number of keys, by gold position; the mean weights cells by their samples.
    Summary.Table kv8 = s.tables().get(2);
    assertEquals(8, kv8.keys());
    assertEquals(List.of("gold 0", "gold 7", "mean"), kv8.columns().stream().map(Summary.Column::label).toList());
    assertEquals(0.5, stat(kv8, "cream-linear", "mean").mean(), 1e-12); // (3 · 1/3 + 1 · 1) / 4
    Summary.Table kv4 = s.tables().get(1);
    assertEquals(List.of(0.0, 0.5, 1.0), stat(kv4, "cream-linear", "gold 3").perSeed());

    Summary.Table ppl = s.tables().get(3);
    assertEquals(List.of("32", "64"), ppl.columns().stream().map(Summary.Column::label).toList());
    assertEquals(new Summary.Stat(22.0, 20.0, 24.0, List.of(20.0, 22.0, 24.0)), stat(ppl, "cream-linear", "64"));

    String md = SummaryWriter.markdown(s, List.of(), 3);
    assertTrue(md.contains("| cream-linear | cream | linear | 8 | 32 | 75.0 (50.0–100.0) | 25.0 (0.0–50.0) | 58.3 (25.0–75.0)"
        + " | 41.7 (25.0–75.0) | 50.0 (25.0–75.0) |"), md);
    assertTrue(md.contains("| pi | none | linear | 8 | 32 | 50.0 | 0.0 | 25.0 | 25.0 | 25.0 |"), md);
    assertTrue(md.contains("| cream-linear | cream | linear | 8 | 32 | 11.00 (10.00–12.00) | 22.00 (20.00–24.00) |"), md);
    assertTrue(md.contains("## kv, 8 keys: accuracy (%) by gold position"), md);
  }

  @Test
  void theOutputsAreWrittenOnceAndTheReportAveragesSeeds() throws Exception {
    Layout layout = new Layout(tmp.resolve("out"));
    Claims claims = new Claims(layout.locks());
    PlanStore.checkOrSave(PLAN, layout, claims, Duration.ofMillis(5), QUIET);
    handMade();
    String md = Outputs.write(PLAN, layout, claims, Duration.ofMillis(5), QUIET);
    assertEquals(md, Files.readString(layout.summaryMd()));
    JsonNode json = Json.read(layout.summaryJson());
    JsonNode creamAt100 = json.path("tables").get(0).path("rows").get(1).path("values").get(0);
    assertEquals(0.75, creamAt100.path("mean").asDouble());
    assertEquals(0.5, creamAt100.path("min").asDouble());
    assertEquals(1.0, creamAt100.path("max").asDouble());
    String html = Files.readString(layout.report());
    assertTrue(html.contains("cream-linear (mean of 3 seeds)"), "one entry per run, seeds averaged");
    byte[] before = Files.readAllBytes(layout.report());
    Outputs.write(PLAN, layout, claims, Duration.ofMillis(5), QUIET);
    assertEquals(new String(before), Files.readString(layout.report()), "inputs unchanged: left as they are");

    EvalResults mean = CompareReport.seedMean(CREAM, readAll(layout, CREAM, PASSKEY));
    CellSummary c = mean.cells().getFirst();
    assertEquals(6, c.n());
    assertEquals((1.0 + 1.0 + 0.5) / 3, c.accuracy(), 1e-12);
    assertNull(c.perplexity());
    assertNotNull(mean.options());
  }

  List<EvalResults> readAll(Layout layout, RunSpec run, EvalSpec eval) {
    List<EvalResults> out = new ArrayList<>();
    for (long s : PLAN.seeds()) out.add(EvalResults.read(Outputs.resultsFile(layout, run, s, eval)));
    return out;
  }
}
