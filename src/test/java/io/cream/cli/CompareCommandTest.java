package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.compare.CompareFixtures;
import io.cream.compare.Finetune;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

class CompareCommandTest {
  @TempDir Path tmp;

  static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void helpDescribesEveryOptionWithItsDefault() {
    CliRun r = run("compare", "--help");
    assertEquals(0, r.code(), r.err());
    for (String s : List.of("PLAN.json", "--out=DIR", "--poll=SECONDS", "(default: 2)", "--device=DEV", "(default: cpu)",
        "--precision=P", "fp32 (exact", "docs/compare.md", "./cream compare PLAN.json --out DIR &")) {
      assertTrue(r.out().contains(s), s + " in:\n" + r.out());
    }
  }

  @Test
  void aPlanWithMistakesGetsOneLinePerMistakeAndExitCode2() throws Exception {
    CompareFixtures.configOnly(tmp.resolve("base"));
    Path plan = CompareFixtures.writePlan(tmp.resolve("plan.json"), """
        {"base": "base", "window": 32, "runs": [{"name": "x", "method": "none", "rope": "linaer"}],
         "evals": [{"task": "passkey", "samples": -1}]}
        """);
    CliRun r = run("compare", plan.toString(), "--out", tmp.resolve("out").toString());
    assertEquals(2, r.code());
    assertEquals(List.of(
        "cream: plan.json: runs[0].rope: 'linaer' is not one of none, linear, ntk, yarn, yarn-revised, dynamic, llama3",
        "cream: plan.json: evals[0].samples: must be at least 1, got -1"), r.err().lines().toList());
    assertTrue(Files.notExists(tmp.resolve("out")), "nothing written for a bad plan");
  }

  @Test
  void printsTheSummaryTable() throws Exception {
    CompareFixtures.baseModel(tmp.resolve("base"));
    Path plan = CompareFixtures.writePlan(tmp.resolve("plan.json"), """
        {"base": "base", "window": 32, "runs": [{"name": "base", "method": "none", "rope": "none"}],
         "evals": [{"task": "passkey", "lengths": [80], "depths": [50], "samples": 1, "max_new_tokens": 2}]}
        """);
    CliRun r = run("compare", plan.toString(), "--out", tmp.resolve("out").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("| base | none | none | 8 | 32 |"), r.out());
    assertTrue(r.err().contains("start eval passkey base"), r.err());
    assertTrue(Files.isRegularFile(tmp.resolve("out/report.html")));
  }

  /** The plan's fine-tuning defaults are `cream train`'s. */
  @Test
  void finetuneDefaultsAreTrainsDefaults() {
    CommandSpec train = new CommandLine(new TrainCommand()).getCommandSpec();
    Finetune d = Finetune.DEFAULTS;
    assertEquals(d.batch(), Integer.parseInt(def(train, "--batch")));
    assertEquals(d.gradAccum(), Integer.parseInt(def(train, "--grad-accum")));
    assertEquals(d.lr(), Double.parseDouble(def(train, "--lr")));
    // train's --warmup has no fixed default: min(10, --steps); the plan's is 10 the same way.
    assertEquals(null, def(train, "--warmup"));
    assertEquals(10, d.warmup());
    assertEquals(d.schedule(), def(train, "--schedule"));
    assertEquals(d.weightDecay(), Double.parseDouble(def(train, "--weight-decay")));
    assertEquals(d.beta1(), Double.parseDouble(def(train, "--beta1")));
    assertEquals(d.beta2(), Double.parseDouble(def(train, "--beta2")));
    assertEquals(d.adamEps(), Double.parseDouble(def(train, "--adam-eps")));
    assertEquals(d.clip(), Double.parseDouble(def(train, "--clip")));
    assertEquals(d.sigma(), Double.parseDouble(def(train, "--sigma")));
    assertEquals(d.branchMode(), def(train, "--branch-mode"));
    assertEquals(d.branchBatchSize(), Integer.parseInt(def(train, "--branch-batch-size")));
    assertEquals(d.sampleFrom(), def(train, "--sample-from"));
    assertEquals(d.saveEvery(), Integer.parseInt(def(train, "--save-every")));
    assertEquals(d.saveDtype(), def(train, "--save-dtype"));
    assertEquals(d.recompute(), false);
  }

  private static String def(CommandSpec spec, String option) {
    return spec.findOption(option).defaultValue();
  }
}
