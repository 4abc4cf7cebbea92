package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.compare.Compare;
import io.cream.compare.ComparePlan;
import io.cream.compare.PlanException;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {
        "Run the paper's comparison on your model: fine-tunes and evaluations from one base model.",
        "A plan's grid of fine-tunes (methods × RoPE scalings × seeds) and evaluations, ending in"
            + " DIR/report.html and a summary table (DIR/summary.md and summary.json, and printed)."
            + " PLAN.json is described in docs/compare.md.",
        "Resumable: finished fine-tunes and complete evaluations are reused, an interrupted fine-tune"
            + " resumes from its last checkpoint; a DIR made from another plan is refused (adding runs,"
            + " evals or seeds is allowed).",
        "Several processes may share one DIR, each taking the next free unit:",
        "  for i in 1 2 3; do ./cream compare PLAN.json --out DIR & done; wait",
        ""})
public final class CompareCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "PLAN.json", description = "The plan (docs/compare.md).")
  Path planFile;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder: runs/, locks/, plan.json, report.html, summary.md, summary.json.")
  Path out;

  @Option(names = "--poll", defaultValue = "2", paramLabel = "SECONDS",
      description = "How long to wait before looking again when every unit left is held by another"
          + " process or waits for a fine-tune (default: ${DEFAULT-VALUE}).")
  double pollSeconds;

  @Mixin DeviceOption device;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    UserError.require(pollSeconds > 0, "--poll must be positive, got " + pollSeconds);
    ComparePlan plan;
    try {
      plan = ComparePlan.read(planFile);
    } catch (PlanException e) {
      for (String line : e.problems()) spec.commandLine().getErr().println("cream: " + line);
      spec.commandLine().getErr().flush();
      return 2;
    }
    // Fail on a bad --device or --precision now, not after the plan is saved in DIR.
    try (Backend check = device.open()) {
      // Each unit of work opens its own backend; this one only checks the flags.
    }
    String where = device.device + (device.device.equals("cpu") ? "" : " " + device.precision().name().toLowerCase());
    Compare.Result r = new Compare(plan, out, device::open, where, System.err,
        Duration.ofMillis(Math.round(pollSeconds * 1000))).run();
    if (r.summary() == null) {
      System.out.println("the plan in " + out + " was extended by another process; it writes the summary");
    } else {
      System.out.print(r.summary());
    }
    return 0;
  }
}
