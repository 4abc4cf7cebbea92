package io.cream.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.model.LlamaConfig;
import io.cream.model.TrainBatch;
import io.cream.util.Bytes;
import io.cream.util.Json;
import io.cream.util.Progress;
import io.cream.util.RunFailure;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A training run: pre-training from scratch or fine-tuning with CREAM, PoSE, RandPos or contiguous
 * positions. {@link TrainSetup} sets it up (memory plan, lock, resume, weights, data); then each
 * optimizer step ({@link TrainStep}) accumulates gradients over gradAccum micro-batches (loss
 * summed over tokens, divided by the step's token count), clips by the global norm, and takes one
 * AdamW step. The model is saved as a Hugging Face checkpoint whose config.json carries the RoPE
 * scaling trained with; optimizer state and step are saved beside it, and a resumed run reproduces
 * the uninterrupted one exactly (samples are a pure function of seed and index).
 *
 * <p>Data parallel: with a {@link Collective} of W ranks (one process per GPU), each rank computes
 * its share of the step's micro-batches ({@link MicroBatchPlan}); the token count is summed over
 * ranks before the backward (every rank scales by 1 / global count), the gradients, loss sum and
 * count after it, so every rank clips and steps identically. Only rank 0 writes metrics,
 * checkpoints and the model; at each save the ranks check that their weights are still identical.
 */
public final class Trainer {
  private final TrainOptions o;
  private final Backend backend;
  private final PrintStream log;
  private final Collective group;
  private final boolean leader;

  public Trainer(TrainOptions options, Backend backend, PrintStream log) {
    this(options, backend, log, Collective.single());
  }

  /** A trainer that is one rank of a data-parallel group; ranks other than 0 print nothing. */
  public Trainer(TrainOptions options, Backend backend, PrintStream log, Collective group) {
    this.o = options;
    this.backend = backend;
    this.group = group;
    this.leader = group.rank() == 0;
    this.log = leader ? log : new PrintStream(java.io.OutputStream.nullOutputStream());
  }

  /** The result of a run: last step reached and its loss. */
  public record Result(int step, double loss, Path out) {}

  /**
   * Runs (or resumes) the training: sets it up ({@link TrainSetup}: the memory plan, the output
   * folder locked for the whole run ({@link RunLock}) and cleared of what killed saves left in it
   * ({@link Leftovers}), the weights, the data), then takes the steps.
   */
  public Result run() throws IOException {
    try (TrainSetup run = TrainSetup.open(o, backend, group, log)) {
      if (run.complete() != null) return run.complete();
      Result r = loop(run);
      reportMemory(run.plan());
      return r;
    }
  }

  /**
   * The run's memory plan (train --plan) for one of {@code ranks} processes on this machine:
   * printed to out as a table with its verdict; nothing is allocated, read or written.
   */
  public MemoryPlan plan(PrintStream out, int ranks) {
    MemoryPlan plan = MemoryPlan.of(TrainSetup.baseConfig(o), o, backend, ranks);
    plan.print(out);
    return plan;
  }

  /**
   * What the run held at most against its plan: the device's tensors (where the backend tracks
   * them) and the process's peak resident memory (Linux), which holds the Java heap besides the
   * plan's host parts.
   */
  private void reportMemory(MemoryPlan plan) {
    long peak = backend.peakBytes();
    String device = peak < 0 ? "" : "peak " + Bytes.format(peak) + " in tensors on " + backend.name()
        + " (plan " + Bytes.format(plan.need().device().total()) + "); ";
    long rss = peakResidentBytes();
    String host = rss < 0 ? "" : "peak resident " + Bytes.format(rss) + " on the host (plan "
        + Bytes.format(plan.need().host().total()) + " outside the Java heap)";
    if (!device.isEmpty() || !host.isEmpty()) log.println("memory: " + device + host);
  }

  /** VmHWM of /proc/self/status, or -1 where there is none. */
  static long peakResidentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.trim().split("\\s+")[1]) * 1024;
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** The steps from the setup's start step to --steps (or --max-steps more), saving as asked. */
  private Result loop(TrainSetup run) throws IOException {
    TrainState state = run.state();
    Checkpoints checkpoints = run.checkpoints();
    LlamaConfig saved = run.saved();
    Path tokenizerPath = run.tokenizerPath();
    MetricsLog metrics = run.metrics();
    int startStep = run.startStep();
    LrSchedule schedule = new LrSchedule(o.lr(), o.warmup(), o.steps(), o.decay());
    AdamWConfig adam = new AdamWConfig(
        (float) o.lr(), (float) o.beta1(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay());
    TrainStep trainStep = TrainStep.adamW(backend, run.pass(), run.grads(), state, group);
    int end = o.maxSteps() > 0 ? Math.min(o.steps(), startStep + o.maxSteps()) : o.steps();
    double lastLoss = startStep > 0 ? Checkpoints.loss(checkpoints.latest().orElseThrow()) : Double.NaN;
    MicroBatchPlan plan = new MicroBatchPlan(o.gradAccum(), group.rank(), group.world());
    long tokensPerStep = (long) o.globalBatch() * group.world() * o.window();
    // Ranks start from the same weights (same seed or files); check rather than assume.
    if (group.world() > 1) ReplicaCheck.require(group, state.digest(), startStep);
    int untrainedSteps = 0;
    Progress.Builder bar = Progress.builder("train").total(o.steps()).unit("step");
    try (Progress progress = (leader ? bar : bar.mode(Progress.Mode.SILENT)).build()) {
      progress.advance(startStep);
      for (int step = startStep; step < end; step++) {
        long t0 = System.nanoTime();
        long[] mine = plan.indices(step);
        TrainBatch[] micro = new TrainBatch[mine.length];
        for (int a = 0; a < micro.length; a++) micro[a] = run.samples().batch(mine[a]);
        double lr = schedule.lr(step);
        TrainStep.Outcome taken = trainStep.run(micro, adam.withLr((float) lr), step + 1L, o.clip());
        if (!taken.finite()) throw diverged(checkpoints, step, taken.loss().mean(), taken.norm());
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (taken.trained()) {
          lastLoss = taken.loss().mean();
          if (leader) metrics.log(step, lastLoss, lr, taken.norm(), tokensPerStep / seconds);
        } else {
          if (untrainedSteps++ == 0 && leader) {
            log.printf("%nnote: step %d had no trained token (every sample's targets were masked out); it changed"
                + " no weight%n", step + 1);
          }
          if (leader) metrics.log(step, Double.NaN, lr, 0.0, tokensPerStep / seconds, Map.of("trained_tokens", 0));
        }
        progress.setMessage(String.format("loss %.4f lr %.2e %,.0f tok/s", lastLoss, lr, tokensPerStep / seconds));
        progress.advance(1);
        int done = step + 1;
        if (o.save() && (done == o.steps() || (o.saveEvery() > 0 && done % o.saveEvery() == 0) || done == end)) {
          if (group.world() > 1) {
            double digest = ReplicaCheck.require(group, state.digest(), done);
            log.printf("step %d: weights identical on all %d ranks (digest %.17g)%n", done,
                group.world(), digest);
          }
          if (leader) saveCheckpoint(state, checkpoints, saved, tokenizerPath, done, lastLoss);
        }
      }
    }
    if (untrainedSteps > 1) {
      log.printf("note: %,d steps had no trained token and changed no weight%n", untrainedSteps);
    }
    if (!o.save()) {
      log.println("nothing saved (--no-save)");
    } else if (end == o.steps() && leader) {
      try {
        HfCheckpoint.write(o.out(), saved.toJson(), state.toWrite(o.saveDtype()),
            tokenizerPath, 5L << 30);
      } catch (IOException e) {
        throw new RunFailure("could not write the model to " + o.out() + " (" + reason(e) + "); the"
            + " checkpoint of step " + end + " is kept: make room and run again with --resume");
      }
      log.println("saved the model to " + o.out());
    }
    return new Result(end, lastLoss, o.out());
  }

  /** Saves a checkpoint; a failed save (a full disk) leaves no temporary folder and stops the run. */
  private void saveCheckpoint(TrainState state, Checkpoints checkpoints,
      LlamaConfig saved, Path tokenizerPath, int step, double loss) throws IOException {
    Path tmp = null;
    try {
      tmp = checkpoints.begin(step);
      HfCheckpoint.write(tmp, saved.toJson(), state.toWrite(DType.F32), tokenizerPath, 0);
      state.saveOptimizer(tmp);
      Checkpoints.writeState(tmp, step, loss, optionsJson());
      checkpoints.commit(tmp, step, o.keepCheckpoints());
    } catch (IOException e) {
      if (tmp != null) Checkpoints.deleteQuietly(tmp);
      throw new RunFailure("could not save the checkpoint of step " + step + " in " + checkpoints.root()
          + " (" + reason(e) + "); " + kept(checkpoints) + ": make room and resume with --resume");
    }
  }

  /** The line for a step whose loss or gradient norm is not finite: the weights were not updated. */
  private RunFailure diverged(Checkpoints checkpoints, int step, double loss, double norm) throws IOException {
    return new RunFailure("training diverged at step " + (step + 1) + " (loss " + loss + ", gradient norm "
        + norm + "); nothing of that step was saved, " + kept(checkpoints) + "; start again with a lower"
        + " --lr or a longer --warmup in a new --out");
  }

  private String kept(Checkpoints checkpoints) throws IOException {
    return checkpoints.latest().map(p -> "the last good checkpoint, " + p + ", is kept")
        .orElse("no checkpoint had been saved yet");
  }

  /** An I/O error's message with the file it concerns (a full disk's says only "No space left"). */
  private static String reason(IOException e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return e instanceof java.nio.file.FileSystemException ? e.getClass().getSimpleName() + ": " + m : m;
  }

  private ObjectNode optionsJson() {
    ObjectNode n = Json.MAPPER.valueToTree(o);
    n.put("world", group.world());
    return n;
  }
}
