package io.cream.compare;

import io.cream.backend.Backend;
import io.cream.eval.EvalOptions;
import io.cream.eval.EvalResults;
import io.cream.eval.EvalRunner;
import io.cream.eval.LlamaEvalModel;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.TextTokenizer;
import io.cream.model.LlamaConfig;
import io.cream.model.ModelLoader;
import io.cream.positions.BranchMode;
import io.cream.rope.RopeSpec;
import io.cream.train.LrSchedule;
import io.cream.train.TrainOptions;
import io.cream.train.Trainer;
import io.cream.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The real work of a unit: a fine-tune with the project's {@link Trainer} (resuming from its
 * newest checkpoint when an earlier process was interrupted), or an evaluation with {@link
 * EvalRunner}. A fine-tune is done when its model's config.json exists (the trainer writes it
 * last); an evaluation when its results.json says complete.
 */
final class UnitWork implements Scheduler.Work {
  private final ComparePlan plan;
  private final Layout layout;
  private final Supplier<Backend> backends;
  private final String device;
  private final PrintStream log;

  /**
   * @param backends opens a fresh backend for each unit (closed when the unit ends)
   * @param device what the backend is, recorded with each fine-tune (e.g. "cuda:0 bf16")
   */
  UnitWork(ComparePlan plan, Layout layout, Supplier<Backend> backends, String device, PrintStream log) {
    this.plan = plan;
    this.layout = layout;
    this.backends = backends;
    this.device = device;
    this.log = log;
  }

  @Override
  public boolean done(Unit u) {
    if (u.isFinetune()) return Files.isRegularFile(layout.model(u.run(), u.seed()).resolve(HfCheckpoint.CONFIG_FILE));
    Path results = layout.results(u);
    return Files.isRegularFile(results) && EvalResults.read(results).complete();
  }

  @Override
  public void run(Unit u) throws IOException {
    if (u.isFinetune()) finetune(u.run(), u.seed());
    else evaluate(u);
  }

  /**
   * `cream train`'s options for one fine-tune; resume is on, so a run continues from the newest
   * checkpoint an interrupted process left, or starts when there is none.
   */
  static TrainOptions trainOptions(ComparePlan plan, Layout layout, RunSpec run, long seed) {
    Finetune f = run.finetune();
    return TrainOptions.defaults().withModel(plan.base()).withData(plan.data()).withOut(layout.model(run, seed))
        .withWindow(run.window()).withFactor(run.factor()).withMethod(run.positionMethod()).withRope(run.ropeType())
        .withSigma(f.sigma())
        .withBranchMode(f.branchMode().equals("per-batch") ? BranchMode.PER_BATCH : BranchMode.PER_SAMPLE)
        .withBranchBatchSize(f.branchBatchSize()).withSampleUnit(io.cream.train.SampleUnit.parse(f.sampleFrom()))
        .withSteps(f.steps()).withBatch(f.batch()).withGradAccum(f.gradAccum()).withLr(f.lr()).withWarmup(f.warmup())
        .withDecay(LrSchedule.Decay.parse(f.schedule())).withWeightDecay(f.weightDecay()).withBeta1(f.beta1())
        .withBeta2(f.beta2()).withEps(f.adamEps()).withClip(f.clip()).withSeed(seed).withRecompute(f.recompute())
        .withSaveEvery(f.saveEvery()).withKeepCheckpoints(1)
        .withSaveDtype(DType.fromTorchName(f.saveDtype()).orElseThrow()).withResume(true);
  }

  private void finetune(RunSpec run, long seed) throws IOException {
    Path out = layout.model(run, seed);
    TrainOptions o = trainOptions(plan, layout, run, seed);
    long t0 = System.nanoTime();
    Trainer.Result r;
    try (Backend backend = backends.get()) {
      r = new Trainer(o, backend, log).run();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    // The finished model is all the evaluations need; the checkpoints (weights and optimizer state)
    // only served resuming and would triple the folder's size.
    deleteTree(out.resolve("checkpoints"));
    var record = Json.object();
    record.put("run", run.name());
    record.put("seed", seed);
    record.put("steps", r.step());
    record.put("final_loss", r.loss());
    record.put("seconds_this_process", seconds);
    record.put("device", device);
    Json.writeAtomically(layout.finetuneRecord(run, seed), record);
  }

  private void evaluate(Unit u) {
    RunSpec run = u.run();
    Path model = run.finetunes() ? layout.model(run, u.seed()) : plan.base();
    RopeSpec rope = null;
    if (!run.finetunes() && !run.isBaseAsIs()) {
      LlamaConfig c = LlamaConfig.read(model.resolve(HfCheckpoint.CONFIG_FILE));
      rope = RopeSpec.of(run.ropeType(), c.headDim(), c.ropeTheta(), run.factor(), run.window());
    }
    EvalOptions o = u.eval().options().withRopeOverride(run.ropeOverrideLabel());
    try (Backend backend = backends.get();
        LlamaEvalModel m = new LlamaEvalModel(u.model(), ModelLoader.load(model, backend, rope),
            TextTokenizer.load(model), u.eval().maxContext())) {
      EvalRunner.run(u.eval().task(), m, o, layout.evalFolder(u), log);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
