package io.cream.train;

import io.cream.io.DType;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSampler;
import io.cream.rope.RopeType;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.function.Consumer;

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
 * @param offload where the optimizer state lives (device, host memory, or chosen by the memory plan)
 * @param save write checkpoints and the final model (false: a measurement run that keeps nothing)
 *
 * <p>Build one with {@link #defaults()} and the {@code with…} methods, naming only what differs.
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
    DType saveDtype,
    boolean resume,
    int maxSteps,
    Offload offload,
    boolean save) {

  /**
   * `cream train`'s defaults (its picocli defaults; TrainCommandTest holds them equal). The flags
   * `train` requires have none: data and out are null, window and steps 0; set them. warmup is 10,
   * train's min(10, --steps) for runs of 10 steps or more.
   */
  public static TrainOptions defaults() {
    return new TrainOptions(null, null, null, null, null, 0, 8, PositionMethod.CREAM, RopeType.LINEAR, 3.0,
        BranchMode.PER_SAMPLE, 3000, SampleUnit.DOCUMENTS, 0, 8, 1, 2e-5, 10, LrSchedule.Decay.LINEAR, 0.0, 0.9,
        0.999, 1e-8, 1.0, 0, false, 0, 2, DType.F32, false, 0, Offload.AUTO, true);
  }

  public TrainOptions withModel(Path v) {
    return edit(e -> e.model = v);
  }

  public TrainOptions withInit(Path v) {
    return edit(e -> e.init = v);
  }

  public TrainOptions withTokenizer(Path v) {
    return edit(e -> e.tokenizer = v);
  }

  public TrainOptions withData(Path v) {
    return edit(e -> e.data = v);
  }

  public TrainOptions withOut(Path v) {
    return edit(e -> e.out = v);
  }

  public TrainOptions withWindow(int v) {
    return edit(e -> e.window = v);
  }

  public TrainOptions withFactor(int v) {
    return edit(e -> e.factor = v);
  }

  public TrainOptions withMethod(PositionMethod v) {
    return edit(e -> e.method = v);
  }

  public TrainOptions withRope(RopeType v) {
    return edit(e -> e.rope = v);
  }

  public TrainOptions withSigma(double v) {
    return edit(e -> e.sigma = v);
  }

  public TrainOptions withBranchMode(BranchMode v) {
    return edit(e -> e.branchMode = v);
  }

  public TrainOptions withBranchBatchSize(int v) {
    return edit(e -> e.branchBatchSize = v);
  }

  public TrainOptions withSampleUnit(SampleUnit v) {
    return edit(e -> e.sampleUnit = v);
  }

  public TrainOptions withSteps(int v) {
    return edit(e -> e.steps = v);
  }

  public TrainOptions withBatch(int v) {
    return edit(e -> e.batch = v);
  }

  public TrainOptions withGradAccum(int v) {
    return edit(e -> e.gradAccum = v);
  }

  public TrainOptions withLr(double v) {
    return edit(e -> e.lr = v);
  }

  public TrainOptions withWarmup(int v) {
    return edit(e -> e.warmup = v);
  }

  public TrainOptions withDecay(LrSchedule.Decay v) {
    return edit(e -> e.decay = v);
  }

  public TrainOptions withWeightDecay(double v) {
    return edit(e -> e.weightDecay = v);
  }

  public TrainOptions withBeta1(double v) {
    return edit(e -> e.beta1 = v);
  }

  public TrainOptions withBeta2(double v) {
    return edit(e -> e.beta2 = v);
  }

  public TrainOptions withEps(double v) {
    return edit(e -> e.eps = v);
  }

  public TrainOptions withClip(double v) {
    return edit(e -> e.clip = v);
  }

  public TrainOptions withSeed(long v) {
    return edit(e -> e.seed = v);
  }

  public TrainOptions withRecompute(boolean v) {
    return edit(e -> e.recompute = v);
  }

  public TrainOptions withSaveEvery(int v) {
    return edit(e -> e.saveEvery = v);
  }

  public TrainOptions withKeepCheckpoints(int v) {
    return edit(e -> e.keepCheckpoints = v);
  }

  public TrainOptions withSaveDtype(DType v) {
    return edit(e -> e.saveDtype = v);
  }

  public TrainOptions withResume(boolean v) {
    return edit(e -> e.resume = v);
  }

  public TrainOptions withMaxSteps(int v) {
    return edit(e -> e.maxSteps = v);
  }

  public TrainOptions withOffload(Offload v) {
    return edit(e -> e.offload = v);
  }

  public TrainOptions withSave(boolean v) {
    return edit(e -> e.save = v);
  }

  /** Sequences per optimizer step. */
  public int globalBatch() {
    return batch * gradAccum;
  }

  /** Checks the numbers `cream train` takes from its flags; the messages name those flags. */
  public void validate() {
    PositionSampler.create(method, window, factor, sigma); // the samplers' own checks of N, f and σ
    UserError.require(steps >= 1, "--steps must be at least 1");
    UserError.require(batch >= 1 && gradAccum >= 1, "--batch and --grad-accum must be at least 1");
    UserError.require(branchBatchSize >= 1, "--branch-batch-size must be at least 1, got " + branchBatchSize);
    UserError.require(lr > 0, "--lr must be positive");
    UserError.require(warmup >= 0 && warmup <= steps, "--warmup must be between 0 and --steps (" + steps + "), got " + warmup);
    UserError.require((long) window * batch <= Integer.MAX_VALUE, "--window × --batch must stay below 2^31 tokens");
    UserError.require(clip >= 0, "--clip must be 0 (off) or positive, got " + clip);
    UserError.require(saveEvery >= 0, "--save-every must be 0 (only at the end) or positive, got " + saveEvery);
    UserError.require(keepCheckpoints >= 1, "--keep-checkpoints must be at least 1 (resume needs one), got " + keepCheckpoints);
  }

  /** A copy with some fields changed: the with-methods above, one line each. */
  private TrainOptions edit(Consumer<Editor> change) {
    Editor e = new Editor(this);
    change.accept(e);
    return new TrainOptions(e.model, e.init, e.tokenizer, e.data, e.out, e.window, e.factor, e.method, e.rope, e.sigma,
        e.branchMode, e.branchBatchSize, e.sampleUnit, e.steps, e.batch, e.gradAccum, e.lr,
        e.warmup, e.decay, e.weightDecay, e.beta1, e.beta2, e.eps, e.clip, e.seed, e.recompute,
        e.saveEvery, e.keepCheckpoints, e.saveDtype, e.resume, e.maxSteps, e.offload, e.save);
  }

  /** The fields as mutable variables, for {@link #edit}. */
  private static final class Editor {
    Path model;
    Path init;
    Path tokenizer;
    Path data;
    Path out;
    int window;
    int factor;
    PositionMethod method;
    RopeType rope;
    double sigma;
    BranchMode branchMode;
    int branchBatchSize;
    SampleUnit sampleUnit;
    int steps;
    int batch;
    int gradAccum;
    double lr;
    int warmup;
    LrSchedule.Decay decay;
    double weightDecay;
    double beta1;
    double beta2;
    double eps;
    double clip;
    long seed;
    boolean recompute;
    int saveEvery;
    int keepCheckpoints;
    DType saveDtype;
    boolean resume;
    int maxSteps;
    Offload offload;
    boolean save;

    Editor(TrainOptions o) {
      model = o.model;
      init = o.init;
      tokenizer = o.tokenizer;
      data = o.data;
      out = o.out;
      window = o.window;
      factor = o.factor;
      method = o.method;
      rope = o.rope;
      sigma = o.sigma;
      branchMode = o.branchMode;
      branchBatchSize = o.branchBatchSize;
      sampleUnit = o.sampleUnit;
      steps = o.steps;
      batch = o.batch;
      gradAccum = o.gradAccum;
      lr = o.lr;
      warmup = o.warmup;
      decay = o.decay;
      weightDecay = o.weightDecay;
      beta1 = o.beta1;
      beta2 = o.beta2;
      eps = o.eps;
      clip = o.clip;
      seed = o.seed;
      recompute = o.recompute;
      saveEvery = o.saveEvery;
      keepCheckpoints = o.keepCheckpoints;
      saveDtype = o.saveDtype;
      resume = o.resume;
      maxSteps = o.maxSteps;
      offload = o.offload;
      save = o.save;
    }
  }
}
