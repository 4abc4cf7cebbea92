package io.cream.train;

import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.rope.RopeType;
import java.nio.file.Path;

/**
 * Everything a training run is configured with (the `train` command's flags).
 *
 * @param model an HF checkpoint folder to fine-tune, or null with {@code init}
 * @param init a config.json to pre-train from scratch, or null with {@code model}
 * @param tokenizer tokenizer.json (or its folder); defaults to the model folder's
 * @param rope the scaling trained with and written to config.json; DEFAULT means none
 * @param branchMode CREAM: branch per sample, or shared by branchBatchSize consecutive samples
 * @param branchBatchSize samples per shared branch in per-batch mode (the reference: 3,000)
 * @param sampleUnit CREAM, PoSE, RandPos: one sample per document, or per target-window piece
 * @param saveEvery steps between checkpoints (0: only at the end)
 * @param maxSteps stop after this many steps in this invocation (for tests of resume; 0: no limit)
 */
public record TrainOptions(
    Path model,
    Path init,
    Path tokenizer,
    Path data,
    Path out,
    int window,
    int factor,
    PositionMethod method,
    RopeType rope,
    double sigma,
    BranchMode branchMode,
    int branchBatchSize,
    SampleUnit sampleUnit,
    int steps,
    int batch,
    int gradAccum,
    double lr,
    int warmup,
    LrSchedule.Decay decay,
    double weightDecay,
    double beta1,
    double beta2,
    double eps,
    double clip,
    long seed,
    boolean recompute,
    int saveEvery,
    int keepCheckpoints,
    String saveDtype,
    boolean resume,
    int maxSteps) {

  /** Sequences per optimizer step. */
  public int globalBatch() {
    return batch * gradAccum;
  }
}
