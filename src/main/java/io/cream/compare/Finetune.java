package io.cream.compare;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.util.List;
import java.util.Set;

/**
 * The fine-tuning settings of a run: the plan's {@code finetune} object over the defaults of
 * {@code cream train}, then the run's own overrides. Field names are the plan's (snake_case).
 *
 * @param steps optimizer steps; 0 = not given (an error for a run that fine-tunes)
 * @param saveEvery steps between resumable checkpoints (0: only at the end, so an interrupted
 *     fine-tune starts over)
 */
public record Finetune(
    int steps,
    int batch,
    int gradAccum,
    double lr,
    int warmup,
    String schedule,
    double weightDecay,
    double beta1,
    double beta2,
    double adamEps,
    double clip,
    double sigma,
    String branchMode,
    int branchBatchSize,
    String sampleFrom,
    boolean recompute,
    int saveEvery,
    String saveDtype) {

  /** `cream train`'s defaults (a test keeps them equal to TrainCommand's). */
  public static final Finetune DEFAULTS = new Finetune(0, 8, 1, 2e-5, 10, "linear", 0.0, 0.9, 0.999, 1e-8,
      1.0, 3.0, "per-sample", 3000, "documents", false, 0, "float32");

  static final Set<String> FIELDS = Set.of("steps", "batch", "grad_accum", "lr", "warmup", "schedule",
      "weight_decay", "beta1", "beta2", "adam_eps", "clip", "sigma", "branch_mode", "branch_batch_size", "sample_from", "recompute",
      "save_every", "save_dtype");

  /** The fields present in {@code f} over {@code base}; each value checked where it is written. */
  static Finetune read(JsonFields f, Finetune base) {
    int steps = f.integer("steps", base.steps, 1);
    // As `cream train`: a warm-up not given is at most the run's steps.
    int warmup = f.has("warmup") || steps == 0 ? f.integer("warmup", base.warmup, 0) : Math.min(base.warmup, steps);
    return new Finetune(
        steps,
        f.integer("batch", base.batch, 1),
        f.integer("grad_accum", base.gradAccum, 1),
        f.number("lr", base.lr, 0, true, Double.MAX_VALUE),
        warmup,
        f.text("schedule", base.schedule, List.of("linear", "cosine", "constant")),
        f.number("weight_decay", base.weightDecay, 0, false, Double.MAX_VALUE),
        f.number("beta1", base.beta1, 0, false, 0.999999),
        f.number("beta2", base.beta2, 0, false, 0.999999),
        f.number("adam_eps", base.adamEps, 0, true, Double.MAX_VALUE),
        f.number("clip", base.clip, 0, false, Double.MAX_VALUE),
        f.number("sigma", base.sigma, 0, true, Double.MAX_VALUE),
        f.text("branch_mode", base.branchMode, List.of("per-sample", "per-batch")),
        f.integer("branch_batch_size", base.branchBatchSize, 1),
        f.text("sample_from", base.sampleFrom, List.of("documents", "pieces", "windows")),
        f.bool("recompute", base.recompute),
        f.integer("save_every", base.saveEvery, 0),
        f.text("save_dtype", base.saveDtype, List.of("float32", "bfloat16", "float16")));
  }

  ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("steps", steps);
    n.put("batch", batch);
    n.put("grad_accum", gradAccum);
    n.put("lr", lr);
    n.put("warmup", warmup);
    n.put("schedule", schedule);
    n.put("weight_decay", weightDecay);
    n.put("beta1", beta1);
    n.put("beta2", beta2);
    n.put("adam_eps", adamEps);
    n.put("clip", clip);
    n.put("sigma", sigma);
    n.put("branch_mode", branchMode);
    n.put("branch_batch_size", branchBatchSize);
    n.put("sample_from", sampleFrom);
    n.put("recompute", recompute);
    n.put("save_every", saveEvery);
    n.put("save_dtype", saveDtype);
    return n;
  }
}
