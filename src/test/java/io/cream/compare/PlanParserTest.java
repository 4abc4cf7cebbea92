package io.cream.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans read with their defaults, and every mistake reported as one line naming its field. */
class PlanParserTest {
  @TempDir static Path tmp;

  @BeforeAll
  static void setUp() throws Exception {
    CompareFixtures.configOnly(tmp.resolve("models/base"));
    CompareFixtures.text(tmp.resolve("data"), 1000);
  }

  static ComparePlan read(String json) throws Exception {
    return ComparePlan.read(CompareFixtures.writePlan(tmp.resolve("plans/plan.json"), json));
  }

  static List<String> problems(String json) {
    return assertThrows(PlanException.class, () -> read(json)).problems();
  }

  @Test
  void aSmallPlanGetsTheDefaultsOfTrainAndEval() throws Exception {
    ComparePlan p = read("""
        {"base": "../models/base", "data": "../data", "window": 32,
         "finetune": {"steps": 50},
         "runs": [{"name": "cream-yarn", "method": "cream", "rope": "yarn", "factor": 2},
                  {"name": "pi", "method": "none", "rope": "linear"},
                  {"name": "full", "method": "contiguous", "rope": "linear", "window": 64, "factor": 2, "lr": 1e-4}],
         "evals": [{"task": "passkey", "lengths": [64, 128]}]}
        """);
    assertEquals(tmp.resolve("models/base").toAbsolutePath().normalize(), p.base());
    assertEquals(List.of(0L), p.seeds());
    assertEquals(8, p.factor());
    RunSpec cream = p.run("cream-yarn");
    assertEquals(2, cream.factor());
    assertEquals(32, cream.window());
    assertEquals(new Finetune(50, 8, 1, 2e-5, 10, "linear", 0, 0.9, 0.999, 1e-8, 1.0, 3.0, "per-sample", 3000, "documents", false, 0, "float32"),
        cream.finetune());
    RunSpec pi = p.run("pi");
    assertNull(pi.finetune());
    assertEquals(8, pi.factor());
    assertEquals("linear×8.0", pi.ropeOverrideLabel());
    assertEquals(List.of(), p.seedsOf(pi));
    RunSpec full = p.run("full");
    assertEquals(64, full.window());
    assertEquals(1e-4, full.finetune().lr());
    assertEquals(50, full.finetune().steps());
    EvalSpec passkey = p.evals().getFirst();
    assertEquals(List.of(64, 128), passkey.options().lengths());
    assertEquals(42, passkey.options().seed());
    // Depths left out: the task's own grid (0, 25, 50, 75, 100) for each of the two lengths.
    assertEquals(List.of(), passkey.options().depths());
    assertEquals(10, new io.cream.eval.PasskeyTask().cells(passkey.options()).size());
  }

  @Test
  void everyMistakeIsOneLineNamingItsField() {
    List<String> p = problems("""
        {"base": "../models/base", "data": "../data", "window": 32, "seeds": [0, 0], "factr": 4,
         "finetune": {"steps": 10, "lr": "fast", "schedule": "sometimes"},
         "runs": [{"name": "a", "method": "cram", "rope": "linear"},
                  {"name": "a", "method": "pose", "rope": "linear", "warmup": 20},
                  {"name": "pi", "method": "none", "rope": "linear", "lr": 1e-4},
                  {"name": "full", "method": "contiguous", "rope": "yarn", "window": 256},
                  {"name": "bad/name", "method": "pose", "rope": "longrope"}],
         "evals": [{"task": "passkey", "keys": [75], "samples": 0},
                   {"task": "ppl", "lengths": [32]},
                   {"task": "passkey"}]}
        """);
    List<String> expected = List.of(
        "plan.json: factr: unknown field; known: base, data, description, evals, factor, finetune, runs, seeds, window",
        "plan.json: seeds: a seed is listed twice: [0, 0]",
        "plan.json: finetune.lr: expected a number, got \"fast\"",
        "plan.json: finetune.schedule: 'sometimes' is not one of linear, cosine, constant",
        "plan.json: runs[0].method: 'cram' is not one of cream, pose, randpos, contiguous, none",
        "plan.json: runs[1].name: 'a' names two runs; run names must be unique",
        "plan.json: runs[1].warmup: warm-up of 20 steps exceeds the run's 10 steps",
        "plan.json: runs[2].lr: method none does not fine-tune; remove this field",
        "plan.json: runs[3].window: a fine-tuning window other than the plan's (256 vs 32) needs rope none, linear"
            + " or ntk: the trainer would take 256 as the pre-trained window of yarn's scaling",
        "plan.json: runs[4].name: 'bad/name' must be letters, digits, '.', '_' or '-' (it names the run's folder)",
        "plan.json: runs[4].rope: 'longrope' is not one of none, linear, ntk, yarn, yarn-revised, dynamic, llama3",
        "plan.json: evals[0].keys: unknown field for passkey; known: depths, lengths, max_context, max_new_tokens,"
            + " samples, seed, task",
        "plan.json: evals[0].samples: must be at least 1, got 0",
        "plan.json: evals[1].data: required: ppl's folder of .txt documents",
        "plan.json: evals[2].task: passkey is listed twice; each task is evaluated once per model (put all its"
            + " lengths in one entry)");
    assertEquals(expected, p);
  }

  @Test
  void requiredFieldsAndMissingFiles() {
    List<String> p = problems("""
        {"base": "../models/nowhere", "runs": [{"name": "c", "method": "cream", "rope": "linear"}], "evals": []}
        """);
    assertEquals(List.of(
        "plan.json: base: not found: " + tmp.resolve("models/nowhere") + " (relative paths are read from the plan file's folder)",
        "plan.json: window: required (a whole number)",
        "plan.json: runs[0].steps: required: set finetune.steps (for every run) or steps in this run",
        "plan.json: data: required: the fine-tuning data folder (as 'cream train --data')",
        "plan.json: evals: required: a non-empty list of evaluations ({\"task\": \"passkey\", \"lengths\": [...], ...})"), p);
  }

  @Test
  void theDocumentedExampleIsValid() throws Exception {
    String doc = Files.readString(Path.of("docs/compare.md"));
    int start = doc.indexOf("```json\n") + "```json\n".length();
    String json = doc.substring(start, doc.indexOf("```", start));
    Path dir = tmp.resolve("documented");
    CompareFixtures.configOnly(dir.resolve("models/my-base"));
    for (String d : List.of("data/books", "data/essays", "data/heldout")) Files.createDirectories(dir.resolve(d));
    ComparePlan p = ComparePlan.read(CompareFixtures.writePlan(dir.resolve("plan.json"), json));
    assertEquals(9, p.runs().size());
    assertEquals(List.of("passkey", "needle", "kv", "lines", "ppl"), p.evals().stream().map(EvalSpec::task).toList());
    assertEquals(3 * 7 + 5 * 2 + 3 * 7 * 5, Unit.of(p).size()); // 21 fine-tunes, 2 + 21 models × 5 evals
  }

  @Test
  void theSamplersOwnChecksNameTheRun() {
    // CREAM's continuity branch needs 8f < N: at N = 32, f = 4 is too large.
    List<String> p = problems("""
        {"base": "../models/base", "data": "../data", "window": 32, "factor": 4, "finetune": {"steps": 1, "warmup": 0},
         "runs": [{"name": "c", "method": "cream", "rope": "linear"}], "evals": [{"task": "lines", "lengths": [100]}]}
        """);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.getFirst().startsWith("plan.json: runs[0]: CREAM's continuity branch keeps 4·factor head"), p.getFirst());
  }
}
