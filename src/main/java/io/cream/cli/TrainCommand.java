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
    description = {"Pre-train (--init) or fine-tune (--model) a Llama-family model at window N with",
        "CREAM, PoSE, RandPos or contiguous position ids; writes a Hugging Face checkpoint whose",
        "config.json carries the RoPE scaling for f·N."})
public final class TrainCommand implements Callable<Integer> {
  @Option(names = "--model", paramLabel = "DIR", description = "HF checkpoint folder to fine-tune.")
  Path model;

  @Option(names = "--init", paramLabel = "CONFIG", description = "config.json to pre-train from scratch.")
  Path init;

  @Option(names = "--tokenizer", paramLabel = "PATH", description = "tokenizer.json (default: the model's).")
  Path tokenizer;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Folder of .txt/.jsonl(.gz) documents.")
  Path data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(names = "--window", required = true, paramLabel = "N", description = "Training window in tokens.")
  int window;

  @Option(names = "--factor", defaultValue = "8", paramLabel = "F", description = "Extension factor (target window f·N).")
  int factor;

  @Option(names = "--method", defaultValue = "cream", paramLabel = "M", description = "cream, pose, randpos or contiguous.")
  String method;

  @Option(names = "--rope", defaultValue = "linear", paramLabel = "TYPE", description = {
      "RoPE scaling trained with: linear (default, the",
      "paper's main setting), ntk, yarn-revised (the",
      "paper's \"CREAM-YaRN\": CREAM's and PoSE's own",
      "YaRN), yarn (Hugging Face's YaRN, not the",
      "paper's), dynamic, llama3 or none (plain RoPE;",
      "'default' also accepted)."})
  String rope;

  @Option(names = "--sigma", defaultValue = "3.0", description = "CREAM's Gaussian σ.")
  double sigma;

  @Option(names = "--branch-mode", defaultValue = "per-sample", description = {
      "CREAM: per-sample (default: a branch per",
      "sample, the paper's reading) or per-batch (one",
      "branch per --branch-batch-size consecutive",
      "samples, as the reference code draws it)."})
  String branchMode;

  @Option(names = "--branch-batch-size", defaultValue = "3000", paramLabel = "B", description = {
      "Samples per shared branch with --branch-mode",
      "per-batch (default ${DEFAULT-VALUE}: the reference's",
      "preprocessing batch of documents; 'cream",
      "positions' takes the same flag)."})
  int branchBatchSize;

  @Option(names = "--sample-from", defaultValue = "documents", paramLabel = "UNIT", description = {
      "CREAM, PoSE, RandPos: documents (default, the",
      "reference's: one sample per whole document an",
      "epoch, its tail the document's last tokens) or",
      "pieces (documents cut into f·N-token pieces,",
      "one sample each). Prompt/completion documents",
      "are always one sample each."})
  String sampleFrom;

  @Option(names = "--steps", required = true, paramLabel = "K") int steps;
  @Option(names = "--batch", defaultValue = "8", paramLabel = "B", description = "Sequences per micro-batch.") int batch;
  @Option(names = "--grad-accum", defaultValue = "1", paramLabel = "A") int gradAccum;
  @Option(names = "--lr", defaultValue = "2e-5") double lr;
  @Option(names = "--warmup", paramLabel = "W", description = "Warm-up steps (default: 10, or --steps when fewer).")
  Integer warmup;
  @Option(names = "--schedule", defaultValue = "linear", description = "linear, cosine or constant.") String schedule;
  @Option(names = "--weight-decay", defaultValue = "0") double weightDecay;
  @Option(names = "--beta1", defaultValue = "0.9") double beta1;
  @Option(names = "--beta2", defaultValue = "0.999") double beta2;
  @Option(names = "--adam-eps", defaultValue = "1e-8") double eps;
  @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clip (0: off).") double clip;
  @Option(names = "--seed", defaultValue = "0") long seed;
  @Option(names = "--recompute", description = "Recompute activations in the backward (less memory).") boolean recompute;
  @Option(names = "--save-every", defaultValue = "0", description = "Checkpoint every K steps (0: at the end).") int saveEvery;
  @Option(names = "--keep-checkpoints", defaultValue = "2") int keep;
  @Option(names = "--save-dtype", defaultValue = "float32", description = "float32, bfloat16 or float16.") String saveDtype;
  @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.") boolean resume;
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
      description = {"With --device cuda: train data-parallel on these GPUs (e.g. 0,1), one process",
          "each over NCCL; the global batch is batch × grad-accum × GPUs."})
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

  static String dtype(String s) {
    return DType.fromTorchName(s).or(() -> DType.fromSafetensorsName(s)).map(DType::name).orElseThrow(() ->
        new UserError("--save-dtype must be float32, bfloat16 or float16, got '" + s + "'"));
  }
}
