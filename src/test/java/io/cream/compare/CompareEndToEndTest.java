package io.cream.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.eval.EvalResults;
import io.cream.train.MetricsLog;
import io.cream.train.TrainOptions;
import io.cream.train.Trainer;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole comparison on a tiny random model: two fine-tuning runs × two seeds plus the base as
 * it is and the base with linear interpolation, each evaluated with passkey and perplexity; then a
 * rerun that reuses everything, a changed plan refused, and a plan with one more run that only
 * runs the new run's evaluations.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CompareEndToEndTest {
  @TempDir static Path tmp;
  static Path out;
  static Path planFile;

  static final String RUNS = """
        {"name": "base", "method": "none", "rope": "none"},
        {"name": "cream-linear", "method": "cream", "rope": "linear"},
        {"name": "pose-yarn", "method": "pose", "rope": "yarn-revised", "lr": 2e-3}""";

  static String plan(String runs, String lr) {
    return """
        {
          "base": "base-model",
          "data": "text",
          "window": 32,
          "factor": 2,
          "seeds": [0, 1],
          "finetune": {"steps": 1, "batch": 2, "lr": %s, "warmup": 0, "save_every": 1},
          "runs": [%s
          ],
          "evals": [
            {"task": "passkey", "lengths": [96, 128], "depths": [0, 100], "samples": 1, "max_new_tokens": 3},
            {"task": "ppl", "lengths": [32, 64], "samples": 1, "data": "text"}
          ]
        }
        """.formatted(lr, runs);
  }

  @BeforeAll
  static void setUp() throws Exception {
    CompareFixtures.baseModel(tmp.resolve("base-model"));
    CompareFixtures.text(tmp.resolve("text"), 12_000);
    planFile = CompareFixtures.writePlan(tmp.resolve("plan.json"), plan(RUNS, "1e-3"));
    out = tmp.resolve("out");
  }

  static String run(Path plan) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Compare.Result r = new Compare(ComparePlan.read(plan), out, CpuBackend::new, "cpu",
        new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofMillis(50)).run();
    assertNotNull(r.summary());
    return log.toString(StandardCharsets.UTF_8);
  }

  @Test
  @Order(1)
  void runsEveryFinetuneAndEvaluationThenWritesTheOutputs() throws Exception {
    String log = run(planFile);
    for (String run : new String[] {"cream-linear", "pose-yarn"}) {
      for (int seed = 0; seed < 2; seed++) {
        Path folder = out.resolve("runs/" + run + "/seed-" + seed);
        assertTrue(Files.isRegularFile(folder.resolve("model/config.json")), folder + " model");
        assertTrue(Files.isRegularFile(folder.resolve("model/metrics.jsonl")), "metrics kept");
        assertFalse(Files.exists(folder.resolve("model/checkpoints")), "checkpoints removed once the model is written");
        assertEquals(1, Json.read(folder.resolve("finetune.json")).path("steps").asInt());
        for (String task : new String[] {"passkey", "ppl"}) {
          assertTrue(EvalResults.read(folder.resolve("eval/" + task + "/results.json")).complete(), folder + " " + task);
        }
      }
    }
    JsonNode cfg = Json.read(out.resolve("runs/pose-yarn/seed-1/model/config.json"));
    assertEquals("yarn-revised", cfg.path("cream_rope").path("rope_type").asText(), cfg.toString());
    assertEquals(2.0, cfg.path("cream_rope").path("factor").asDouble());
    // The base as it is, no override; the base isn't fine-tuned, so no seed folders.
    EvalResults base = EvalResults.read(out.resolve("runs/base/eval/passkey/results.json"));
    assertEquals(null, base.ropeOverride());
    assertEquals("base", base.model());
    assertFalse(Files.exists(out.resolve("runs/base/seed-0")));
    // Every model saw the same prompts (the evals' seed is shared).
    EvalResults a = EvalResults.read(out.resolve("runs/cream-linear/seed-0/eval/passkey/results.json"));
    EvalResults b = EvalResults.read(out.resolve("runs/pose-yarn/seed-1/eval/passkey/results.json"));
    assertEquals(a.records().getFirst().expected(), b.records().getFirst().expected());

    assertTrue(log.contains("start fine-tune cream-linear/seed-0"), log);
    assertTrue(log.contains("done  eval ppl pose-yarn/seed-1 in"), log);
    assertTrue(Files.size(out.resolve("report.html")) > 10_000);
    String md = Files.readString(out.resolve("summary.md"));
    assertTrue(md.contains("## passkey: accuracy (%) by length (tokens) and by depth"), md);
    assertTrue(md.contains("| cream-linear | cream | linear | 2 | 32 |"), md);
    assertTrue(md.contains("## ppl: perplexity by length"), md);
    assertTrue(md.contains("## passkey: the key's digits the reply's number begins with"), md);
    JsonNode summary = Json.read(out.resolve("summary.json"));
    assertEquals("partial", summary.path("tables").get(1).path("metric").asText());
    JsonNode ppl = summary.path("tables").get(2);
    assertEquals("perplexity", ppl.path("metric").asText());
    JsonNode creamAt32 = ppl.path("rows").get(1).path("values").get(0);
    assertEquals(2, creamAt32.path("per_seed").size());
    double s0 = creamAt32.path("per_seed").get(0).asDouble(), s1 = creamAt32.path("per_seed").get(1).asDouble();
    assertEquals((s0 + s1) / 2, creamAt32.path("mean").asDouble(), 1e-9);
    assertEquals(Math.min(s0, s1), creamAt32.path("min").asDouble());
    assertTrue(s0 > 1000 && s1 > 1000, "random weights over 32K tokens: perplexity in the thousands");
  }

  @Test
  @Order(2)
  void aRerunReusesEverything() throws Exception {
    Path model = out.resolve("runs/cream-linear/seed-1/model/model.safetensors");
    FileTime trained = Files.getLastModifiedTime(model);
    FileTime summary = Files.getLastModifiedTime(out.resolve("summary.json"));
    String log = run(planFile);
    assertFalse(log.contains(" start "), log);
    assertTrue(log.contains("14 of 14 units already done, reused"), log);
    assertTrue(log.contains("outputs up to date"), log);
    assertEquals(trained, Files.getLastModifiedTime(model));
    assertEquals(summary, Files.getLastModifiedTime(out.resolve("summary.json")));
  }

  @Test
  @Order(3)
  void aChangedPlanIsRefused() throws Exception {
    Path changed = CompareFixtures.writePlan(tmp.resolve("changed.json"), plan(RUNS, "5e-4"));
    UserError e = assertThrows(UserError.class, () -> run(changed));
    assertTrue(e.getMessage().contains("another plan") && e.getMessage().contains("run 'cream-linear' changed:"
        + " finetune.lr was 0.001, now 5.0E-4") && e.getMessage().contains("--out NEW_DIR"), e.getMessage());
    Path fewer = CompareFixtures.writePlan(tmp.resolve("fewer.json"), plan(RUNS.replace("""
        {"name": "base", "method": "none", "rope": "none"},""", ""), "1e-3"));
    e = assertThrows(UserError.class, () -> run(fewer));
    assertTrue(e.getMessage().contains("run 'base' was removed"), e.getMessage());
  }

  @Test
  @Order(4)
  void aPlanWithAnAddedRunRunsOnlyThatRun() throws Exception {
    Path more = CompareFixtures.writePlan(tmp.resolve("more.json"), plan(RUNS + """
        ,
        {"name": "linear-no-ft", "method": "none", "rope": "linear"}""", "1e-3"));
    String log = run(more);
    assertTrue(log.contains("extending the plan") && log.contains("run linear-no-ft"), log);
    assertEquals(2, log.lines().filter(l -> l.contains(" start ")).count(), log);
    EvalResults r = EvalResults.read(out.resolve("runs/linear-no-ft/eval/passkey/results.json"));
    assertEquals("linear×2.0", r.ropeOverride());
    assertTrue(Files.readString(out.resolve("summary.md")).contains("| linear-no-ft | none | linear | 2 | 32 |"));
    // The original plan is now a part of the folder's plan: refused, not mixed.
    UserError e = assertThrows(UserError.class, () -> run(planFile));
    assertTrue(e.getMessage().contains("run 'linear-no-ft' was removed"), e.getMessage());
  }

  @Test
  @Order(5)
  void anInterruptedFinetuneResumesFromItsCheckpoint() throws Exception {
    Path plan = CompareFixtures.writePlan(tmp.resolve("one.json"), """
        {"base": "base-model", "data": "text", "window": 32, "factor": 2,
         "finetune": {"steps": 3, "batch": 2, "lr": 1e-3, "warmup": 0, "save_every": 1},
         "runs": [{"name": "pose", "method": "pose", "rope": "linear"}],
         "evals": [{"task": "ppl", "lengths": [32], "samples": 1, "data": "text"}]}
        """);
    ComparePlan p = ComparePlan.read(plan);
    Path dir = tmp.resolve("interrupted");
    Layout layout = new Layout(dir);
    PlanStore.checkOrSave(p, layout, new Claims(layout.locks()), Duration.ofMillis(5), new PrintStream(OutputStream.nullOutputStream()));
    // A process that stopped after step 1 (its checkpoint saved), as a killed one leaves it.
    TrainOptions o = UnitWork.trainOptions(p, layout, p.runs().getFirst(), 0);
    TrainOptions firstStep = o.withMaxSteps(1);
    try (CpuBackend b = new CpuBackend()) {
      new Trainer(firstStep, b, new PrintStream(OutputStream.nullOutputStream())).run();
    }
    assertFalse(Files.exists(o.out().resolve("config.json")));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    new Compare(p, dir, CpuBackend::new, "cpu", new PrintStream(log, true, StandardCharsets.UTF_8), Duration.ofMillis(5)).run();
    String text = log.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("resuming from " + o.out().resolve("checkpoints/step-000001") + " at step 1"), text);
    assertEquals(3, Json.read(layout.finetuneRecord(p.runs().getFirst(), 0)).path("steps").asInt());
    assertEquals(3, MetricsLog.read(o.out().resolve("metrics.jsonl")).size(), "one line per step, none twice");
  }
}
