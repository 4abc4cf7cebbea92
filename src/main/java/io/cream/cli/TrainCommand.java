package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.io.DType;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.rope.RopeType;
import io.cream.train.LrSchedule;
import io.cream.train.Offload;
import io.cream.train.SampleUnit;
import io.cream.train.TrainOptions;
import io.cream.train.Trainer;
import io.cream.util.UserError;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Pre-train or fine-tune a Llama-family model at window N for the target window f·N.",
        "Fine-tunes --model (or pre-trains from --init) on N-token samples whose position ids come from"
            + " CREAM, PoSE, RandPos or plain 0 … N−1, and writes a Hugging Face checkpoint whose"
            + " config.json carries the RoPE scaling for f·N. --resume continues a run from its newest"
            + " checkpoint."})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "DIR", description = "Hugging Face checkpoint folder to fine-tune (or --init).")
  Path model;

  @Option(names = "--init", paramLabel = "CONFIG", description = "config.json of a model to pre-train from random weights (needs --tokenizer).")
  Path init;

  @Option(names = "--tokenizer", paramLabel = "PATH", description = "tokenizer.json, copied into every checkpoint (default: --model's).")
  Path tokenizer;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Training documents: a folder or one file of .txt or .jsonl documents, gzipped or not.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder for the model, its checkpoints and metrics.jsonl.")
  Path out;

  @Option(names = "--window", required = true, paramLabel = "N", description = "Training window N in tokens: every sample has N tokens (the base model's pre-trained window when extending).")
  int window;

  @Option(names = "--factor", defaultValue = "8", paramLabel = "F", description = "Extension factor f: positions and the RoPE scaling reach the target window f·N; at least 2 for cream, pose and randpos, 1 for contiguous (default: ${DEFAULT-VALUE}).")
  int factor;

  @Option(names = "--method", defaultValue = "cream", paramLabel = "M", description = "Position ids: cream, pose, randpos or contiguous (default: ${DEFAULT-VALUE}).")
  String method;

  @Option(names = "--rope", defaultValue = "linear", paramLabel = "TYPE", description = "RoPE scaling trained"
      + " with: linear (the paper's main setting), ntk, yarn-revised (the paper's \"CREAM-YaRN\": CREAM's and"
      + " PoSE's own YaRN), yarn (Hugging Face's YaRN, not the paper's), dynamic, llama3 or none (plain RoPE;"
      + " 'default' also accepted) (default: ${DEFAULT-VALUE}).")
  String rope;

  @Option(names = "--sigma", defaultValue = "3.0", paramLabel = "S", description = "cream: σ of the Gaussian over the expansion ratio that places the middle (default: ${DEFAULT-VALUE}).")
  double sigma;

  @Option(names = "--branch-mode", defaultValue = "per-sample", paramLabel = "MODE", description = "cream:"
      + " per-sample (a branch per sample, the paper's reading) or per-batch (one branch per --branch-batch-size"
      + " consecutive samples, as the reference code draws it) (default: ${DEFAULT-VALUE}).")
  String branchMode;

  @Option(names = "--branch-batch-size", defaultValue = "3000", paramLabel = "B", description = "Samples per"
      + " shared branch with --branch-mode per-batch (default: ${DEFAULT-VALUE}, the reference's preprocessing"
      + " batch of documents; 'cream positions' takes the same flag).")
  int branchBatchSize;

  @Option(names = "--sample-from", defaultValue = "documents", paramLabel = "UNIT", description = "cream, pose,"
      + " randpos: documents (the reference's: one sample per whole document an epoch, its tail the document's"
      + " last tokens), pieces (documents cut into f·N-token pieces, one sample each) or windows (as many"
      + " samples as pieces, each an f·N-token window at a random offset drawn afresh); prompt/completion"
      + " documents are always one sample each (default: ${DEFAULT-VALUE}).")
  String sampleFrom;

  @Option(names = "--steps", required = true, paramLabel = "K", description = "Optimizer steps of the run.") int steps;
  @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "Sequences per micro-batch (default: ${DEFAULT-VALUE}).") int batch;
  @Option(names = "--grad-accum", defaultValue = "1", paramLabel = "A", description = "Micro-batches per optimizer step (default: ${DEFAULT-VALUE}).") int gradAccum;
  @Option(names = "--lr", defaultValue = "2e-5", paramLabel = "LR", description = "Peak learning rate, reached after the warm-up (default: ${DEFAULT-VALUE}, the paper's).") double lr;
  @Option(names = "--warmup", paramLabel = "W", description = "Warm-up steps, the rate rising linearly from 0 (default: 10, or --steps when fewer).")
  Integer warmup;
  @Option(names = "--schedule", defaultValue = "linear", paramLabel = "S", description = "Decay after the warm-up: linear or cosine to 0, or constant (default: ${DEFAULT-VALUE}).") String schedule;
  @Option(names = "--weight-decay", defaultValue = "0", paramLabel = "WD", description = "AdamW's decoupled weight decay (default: ${DEFAULT-VALUE}).") double weightDecay;
  @Option(names = "--beta1", defaultValue = "0.9", paramLabel = "B1", description = "AdamW's first-moment decay β1 (default: ${DEFAULT-VALUE}).") double beta1;
  @Option(names = "--beta2", defaultValue = "0.999", paramLabel = "B2", description = "AdamW's second-moment decay β2 (default: ${DEFAULT-VALUE}).") double beta2;
  @Option(names = "--adam-eps", defaultValue = "1e-8", paramLabel = "EPS", description = "AdamW's ε in the denominator (default: ${DEFAULT-VALUE}).") double eps;
  @Option(names = "--clip", defaultValue = "1.0", paramLabel = "C", description = "Global gradient-norm clip, 0 for none (default: ${DEFAULT-VALUE}).") double clip;
  @Option(names = "--seed", defaultValue = "0", paramLabel = "X", description = "Seed of the weights (--init), the document order and the position ids (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--recompute", description = "Recompute activations in the backward (less memory, more time).") boolean recompute;
  @Option(names = "--save-every", defaultValue = "0", paramLabel = "K", description = "Write a checkpoint every K steps, 0 for only at the end (default: ${DEFAULT-VALUE}).") int saveEvery;
  @Option(names = "--keep-checkpoints", defaultValue = "2", paramLabel = "K", description = "Newest checkpoints kept in --out/checkpoints (default: ${DEFAULT-VALUE}).") int keep;
  @Option(names = "--save-dtype", defaultValue = "float32", paramLabel = "T", description = "Dtype of the saved weights: float32, bfloat16 or float16 (default: ${DEFAULT-VALUE}).") String saveDtype;
  @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint (with the same settings).") boolean resume;
  @Option(names = "--max-steps-this-run", defaultValue = "0", hidden = true) int maxSteps;

  @Option(names = "--offload", defaultValue = "auto", paramLabel = "WHAT", description = {
      "Where the fp32 master weights and AdamW moments",
      "live: auto (default: on the device when the",
      "memory plan says they fit there, else in host",
      "memory), none (on the device), or optimizer",
      "(host memory; the device keeps the weights and",
      "gradients, AdamW runs on the CPU cores)."})
  String offload;

  @Option(names = "--plan", description = {"Print the memory plan (device and host memory by",
      "part) and exit without training."})
  boolean plan;

  // Measurement runs (scripts/gpu-offload.sh): a 7B run's checkpoint would be 81 GB.
  @Option(names = "--no-save", hidden = true, description = "Write no checkpoint and no model.")
  boolean noSave;

  @Mixin DeviceOption device;

  @Option(names = "--devices", paramLabel = "IDS",
      description = "With --device cuda: train data-parallel on these GPUs (e.g. 0,1), one process each over"
          + " NCCL; the global batch is batch × grad-accum × GPUs (default: the one GPU of --device).")
  String devices;

  // Set by --devices on the worker processes it starts.
  @Option(names = "--rank", hidden = true) Integer rank;
  @Option(names = "--world", hidden = true) Integer world;
  @Option(names = "--rendezvous", hidden = true) Path rendezvous;
  @Option(names = "--rendezvous-timeout", defaultValue = "300", hidden = true,
      description = "Seconds a worker waits for rank 0's NCCL id.") int rendezvousTimeout;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrainOptions o = options();
    if (plan) return plan(o);
    if (devices != null) return dataParallel(o);
    UserError.require(rank == null && world == null && rendezvous == null,
        "--rank, --world and --rendezvous belong to the worker processes that --devices starts;"
            + " leave them out");
    try (Backend backend = device.open()) {
      report(new Trainer(o, backend, System.err).run(), System.out);
    }
    return 0;
  }

  /**
   * The flags as options, checked. The numbers are checked before the names are parsed, so a
   * command with both kinds of mistake reports the number's first.
   */
  TrainOptions options() {
    TrainOptions o = TrainOptions.defaults().withModel(model).withInit(init).withTokenizer(tokenizer).withData(data)
        .withOut(out).withWindow(window).withFactor(factor).withSigma(sigma).withBranchBatchSize(branchBatchSize)
        .withSteps(steps).withBatch(batch).withGradAccum(gradAccum).withLr(lr)
        .withWarmup(warmup != null ? warmup : Math.min(10, steps)).withWeightDecay(weightDecay).withBeta1(beta1)
        .withBeta2(beta2).withEps(eps).withClip(clip).withSeed(seed).withRecompute(recompute)
        .withSaveEvery(saveEvery).withKeepCheckpoints(keep).withResume(resume).withMaxSteps(maxSteps)
        .withSave(!noSave);
    o.validate();
    return o.withMethod(PositionMethod.parse(method)).withRope(ropeType(rope)).withBranchMode(branchMode(branchMode))
        .withSampleUnit(SampleUnit.parse(sampleFrom)).withDecay(LrSchedule.Decay.parse(schedule))
        .withSaveDtype(dtype(saveDtype)).withOffload(Offload.parse(offload));
  }

  /**
   * --plan: the memory plan on the device the run would use (the first of --devices), on stdout;
   * exit code 0 whether it fits or not (the verdict is its last line).
   */
  private int plan(TrainOptions o) {
    int world = 1;
    Backend backend;
    if (devices != null) {
      DeviceList ids = DeviceList.parse(devices);
      world = ids.size();
      backend = DataParallelTrain.openGpu(ids.get(0), device.precision());
    } else {
      backend = device.open();
    }
    try (Backend b = backend) {
      new Trainer(o, b, System.err, io.cream.backend.Collective.single()).plan(System.out, world);
    }
    return 0;
  }

  /** The one line on stdout: last step, its loss (when known) and the folder. */
  static void report(Trainer.Result r, PrintStream out) {
    String loss = Double.isFinite(r.loss()) ? String.format(" loss %.4f", r.loss()) : "";
    out.printf("step %d%s → %s%n", r.step(), loss, r.out());
  }

  /** --devices: one GPU in this process, or one worker process per GPU (DataParallelTrain). */
  private int dataParallel(TrainOptions o) throws Exception {
    DeviceList ids = DeviceList.parse(devices);
    UserError.require(device.device.equals("cuda"), "--devices needs --device cuda (got --device "
        + device.device + "); the GPUs are chosen by --devices alone");
    if (rank != null || world != null || rendezvous != null) {
      UserError.require(rank != null && world != null && rendezvous != null,
          "--rank, --world and --rendezvous go together (the workers that --devices starts)");
      return DataParallelTrain.work(ids, rank, world, rendezvous,
          Duration.ofSeconds(rendezvousTimeout), device.precision(), o, System.out, System.err);
    }
    if (ids.size() == 1) {
      try (Backend backend = DataParallelTrain.openGpu(ids.get(0), device.precision())) {
        report(new Trainer(o, backend, System.err).run(), System.out);
      }
      return 0;
    }
    return DataParallelTrain.launch(ids, o,
        spec.root().commandLine().getParseResult().originalArgs(), System.err);
  }

  static RopeType ropeType(String s) {
    return RopeType.fromId(s, "--rope");
  }

  static BranchMode branchMode(String s) {
    return switch (s) {
      case "per-sample" -> BranchMode.PER_SAMPLE;
      case "per-batch" -> BranchMode.PER_BATCH;
      default -> throw new UserError("--branch-mode must be per-sample or per-batch, got '" + s + "'");
    };
  }

  static DType dtype(String s) {
    return DType.fromTorchName(s).or(() -> DType.fromSafetensorsName(s)).orElseThrow(() ->
        new UserError("--save-dtype must be float32, bfloat16 or float16, got '" + s + "'"));
  }
}
