package io.cream.compare;

import io.cream.eval.EvalResults;
import java.nio.file.Path;

/**
 * Where a comparison keeps things under its output folder DIR:
 * <pre>
 * DIR/plan.json                                   the resolved plan (checked on every start)
 * DIR/runs/RUN/seed-S/model/                      the fine-tuned checkpoint (+ metrics.jsonl)
 * DIR/runs/RUN/seed-S/finetune.json               the fine-tune's final step, loss, wall time, device
 * DIR/runs/RUN/seed-S/eval/TASK/results.json      an evaluation of that model
 * DIR/runs/RUN/eval/TASK/results.json             an evaluation of a run that does not fine-tune
 * DIR/locks/UNIT.lock                             claims (OS file locks; never deleted)
 * DIR/report.html, DIR/summary.json, DIR/summary.md
 * </pre>
 */
public record Layout(Path dir) {
  public static final String PLAN = "plan.json";
  public static final String REPORT = "report.html";
  public static final String SUMMARY_JSON = "summary.json";
  public static final String SUMMARY_MD = "summary.md";
  public static final String FINETUNE_RECORD = "finetune.json";

  public Path plan() {
    return dir.resolve(PLAN);
  }

  public Path locks() {
    return dir.resolve("locks");
  }

  /** The folder of one model: runs/RUN/seed-S, or runs/RUN for a run that does not fine-tune. */
  public Path modelFolder(RunSpec run, Long seed) {
    Path r = dir.resolve("runs").resolve(run.name());
    return seed == null ? r : r.resolve("seed-" + seed);
  }

  /** The fine-tuned checkpoint. */
  public Path model(RunSpec run, long seed) {
    return modelFolder(run, seed).resolve("model");
  }

  public Path finetuneRecord(RunSpec run, long seed) {
    return modelFolder(run, seed).resolve(FINETUNE_RECORD);
  }

  public Path evalFolder(Unit u) {
    return modelFolder(u.run(), u.seed()).resolve("eval").resolve(u.eval().task());
  }

  public Path results(Unit u) {
    return evalFolder(u).resolve(EvalResults.FILE_NAME);
  }

  public Path report() {
    return dir.resolve(REPORT);
  }

  public Path summaryJson() {
    return dir.resolve(SUMMARY_JSON);
  }

  public Path summaryMd() {
    return dir.resolve(SUMMARY_MD);
  }
}
