package io.cream.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import io.cream.chat.ChatTemplates;
import io.cream.data.DocumentSource;
import io.cream.data.TokenCache;
import io.cream.data.TokenizedCorpus;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.SafeTensorsReader;
import io.cream.io.TextTokenizer;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSampler;
import io.cream.positions.SampleStream;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.Bytes;
import io.cream.util.Json;
import io.cream.util.Progress;
import io.cream.util.RunFailure;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A training run: pre-training from scratch or fine-tuning with CREAM, PoSE, RandPos or contiguous
 * positions. Each optimizer step accumulates gradients over gradAccum micro-batches (loss summed
 * over tokens, divided by the step's token count), clips by the global norm, and takes one AdamW
 * step. The model is saved as a Hugging Face checkpoint whose config.json carries the RoPE scaling
 * trained with; optimizer state and step are saved beside it, and a resumed run reproduces the
 * uninterrupted one exactly (samples are a pure function of seed and index).
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
   * Runs (or resumes) the training. The output folder is locked for the whole run ({@link
   * RunLock}), and what killed saves left in it is removed first ({@link Leftovers}).
   */
  public Result run() throws IOException {
    Path tokenizerPath = tokenizerPath();
    LlamaConfig base = baseConfig();
    MemoryPlan plan = MemoryPlan.of(base, o, backend, group.world());
    plan.print(log);
    plan.requireFits();
    if (plan.autoNote() != null) log.println("note: " + plan.autoNote());
    if (plan.copiesNote() != null) log.println("note: " + plan.copiesNote());
    try (RunLock lock = leader ? RunLock.acquire(o.out()) : null) {
      if (leader) removeLeftovers();
      return runLocked(base, tokenizerPath, plan);
    }
  }

  /**
   * The run's memory plan (train --plan) for one of {@code ranks} processes on this machine:
   * printed to out as a table with its verdict; nothing is allocated, read or written.
   */
  public MemoryPlan plan(PrintStream out, int ranks) {
    MemoryPlan plan = MemoryPlan.of(baseConfig(), o, backend, ranks);
    plan.print(out);
    return plan;
  }

  private Result runLocked(LlamaConfig base, Path tokenizerPath, MemoryPlan plan) throws IOException {
    Checkpoints checkpoints = new Checkpoints(o.out());
    Optional<Path> resumeFrom = checkpoints.latest();
    if (resumeFrom.isPresent() && !o.resume()) {
      throw new UserError(o.out() + " already holds a training run (" + resumeFrom.get().getFileName()
          + "); pass --resume to continue it, or choose another --out");
    }
    if (resumeFrom.isEmpty() && Files.isRegularFile(o.out().resolve(HfCheckpoint.CONFIG_FILE))) {
      throw new UserError(o.out() + " already holds a finished model; choose another --out");
    }
    if (o.model() != null) noteBaseRope(base);
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerPath)) {
      UserError.require(tokenizer.vocabSize() <= base.vocabSize(), "the tokenizer has "
          + tokenizer.vocabSize() + " tokens but the model's vocab_size is " + base.vocabSize()
          + "; use the model's own tokenizer or raise vocab_size in the config");
      RopeSpec rope = ropeSpec(base);
      LlamaConfig saved = savedConfig(base, rope);
      DocumentSource data = DocumentSource.of(o.data());
      String tokenizerSha = RunSettings.sha256(tokenizerFile(tokenizerPath));
      RunSettings settings = RunSettings.of(o, group.world(), backend.precisionLabel(), tokenizerSha, data);
      int startStep = 0;
      TrainState opened;
      if (resumeFrom.isPresent()) {
        Path dir = resumeFrom.get();
        requireSameSettings(settings);
        startStep = Checkpoints.step(dir, o.steps());
        if (startStep == o.steps() && Files.isRegularFile(o.out().resolve(HfCheckpoint.CONFIG_FILE))) {
          log.println("the run in " + o.out() + " is already complete (step " + startStep + "); nothing to do");
          return new Result(startStep, Checkpoints.loss(dir), o.out());
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(dir);
            SafeTensorsReader opt = SafeTensorsReader.open(dir.resolve(OptimizerState.FILE))) {
          opened = TrainState.create(base, backend, plan.offload(), plan.copies(), WeightsIO.values(base, r), false,
              OptimizerState.values(opt, "m"), OptimizerState.values(opt, "v"));
        }
        log.println("resuming from " + dir + " at step " + startStep);
      } else {
        if (leader) settings.save(o.out());
        if (o.model() != null) {
          try (HfCheckpoint ckpt = HfCheckpoint.open(o.model())) {
            opened = TrainState.create(base, backend, plan.offload(), plan.copies(), WeightsIO.values(base, ckpt.tensors()),
                false, null, null);
          }
        } else {
          opened = TrainState.create(base, backend, plan.offload(), plan.copies(), WeightInit.values(base, o.seed()), true,
              null, null);
        }
      }
      try (TrainState state = opened;
          LlamaModel model = new LlamaModel(base, backend, state.weights(), rope.build());
          LlamaWeights grads = LlamaWeights.zeros(base, backend);
          TokenizedCorpus corpus = openCorpus(data, tokenizer, tokenizerSha);
          TrainingPass pass = new TrainingPass(model, grads, o.batch(), o.window(), o.recompute());
          MetricsLog metrics = leader ? MetricsLog.open(o.out().resolve("metrics.jsonl"), startStep) : null) {
        PositionSampler sampler = PositionSampler.create(
            o.method(), o.window(), o.factor(), o.sigma());
        SampleStream stream = new SampleStream(sampler, o.branchMode(), o.branchBatchSize(), o.seed());
        SampleSource samples = new SampleSource(
            corpus, stream, o.sampleUnit(), o.batch(), o.seed(), tokenizer.eosId());
        log.printf("training %s (%,d parameters) with %s positions, rope %s, window %d → %d; "
                + "%,d samples per epoch (%s)%n", describe(base), ParamLayout.count(base),
            o.method().name().toLowerCase(), rope.type().cliName(), o.window(),
            o.window() * o.factor(), samples.samplesPerEpoch(), o.method() == PositionMethod.CONTIGUOUS
                ? "packed windows" : "one per " + (o.sampleUnit() == SampleUnit.PIECES ? "piece" : "document"));
        log.printf("attention: %s%n", backend.attentionImplementation(AttentionShape.causal(o.batch(),
            base.numAttentionHeads(), base.numKeyValueHeads(), base.headDim(), o.window())));
        log.printf("optimizer state: %s%n", state.describe());
        if (samples.skippedShortDocuments() > 0) {
          log.printf("note: %,d document(s) shorter than %,d tokens left out (%s needs that many)%n",
              samples.skippedShortDocuments(), sampler.minDocumentLength(), o.method().name().toLowerCase());
        }
        if (samples.skippedPromptDocuments() > 0) {
          boolean packed = o.method() == PositionMethod.CONTIGUOUS;
          log.printf("note: %,d prompt/completion or conversation document(s) left out: %s uses those of %s tokens%n",
              samples.skippedPromptDocuments(), o.method().name().toLowerCase(), packed
                  ? "at most " + o.window()
                  : sampler.minDocumentLength() + " to " + o.window() * o.factor());
        }
        Result r = loop(model, grads, state, pass, samples, metrics, checkpoints, saved, tokenizerPath,
            startStep);
        reportMemory(plan);
        return r;
      }
    }
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

  /** Removes what killed saves left in --out, saying how much. */
  private void removeLeftovers() throws IOException {
    Leftovers.Removed r = Leftovers.clean(o.out());
    if (r.entries() > 0) log.println("removed leftovers of interrupted saves in " + o.out() + ": " + r.describe());
  }

  /**
   * The base model's own rope_scaling is read (an unknown type is refused, as every command refuses
   * it) and replaced by the run's --rope: said, not done silently.
   */
  private void noteBaseRope(LlamaConfig base) {
    RopeSpec had = RopeSpec.fromHfConfig(base.raw(), o.model().resolve(HfCheckpoint.CONFIG_FILE).toString());
    if (had.type() != RopeType.DEFAULT) {
      log.printf("note: the base model's rope_scaling (%s, factor %s) is replaced by this run's --rope %s%n",
          had.type().id(), had.factor(), o.rope() == RopeType.DEFAULT ? "none" : o.rope().id());
    }
  }

  /** A resumed run must have the settings it started with (see {@link RunSettings}). */
  private void requireSameSettings(RunSettings now) {
    Optional<RunSettings> started = RunSettings.read(o.out());
    if (started.isEmpty()) {
      log.println("note: " + o.out() + " has no " + RunSettings.FILE + " (a run of an older cream):"
          + " its settings cannot be checked against this command line");
      return;
    }
    started.get().requireResumableWith(now, o.out());
  }

  private Result loop(LlamaModel model, LlamaWeights grads, TrainState state,
      TrainingPass pass, SampleSource samples, MetricsLog metrics, Checkpoints checkpoints,
      LlamaConfig saved, Path tokenizerPath, int startStep) throws IOException {
    LrSchedule schedule = new LrSchedule(o.lr(), o.warmup(), o.steps(), o.decay());
    AdamWConfig adam = new AdamWConfig(
        (float) o.lr(), (float) o.beta1(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay());
    List<Tensor> g = grads.all();
    int end = o.maxSteps() > 0 ? Math.min(o.steps(), startStep + o.maxSteps()) : o.steps();
    double lastLoss = startStep > 0 ? Checkpoints.loss(checkpoints.latest().orElseThrow()) : Double.NaN;
    MicroBatchPlan plan = new MicroBatchPlan(o.gradAccum(), group.rank(), group.world());
    long tokensPerStep = (long) o.globalBatch() * group.world() * o.window();
    // Ranks start from the same weights (same seed or files); check rather than assume.
    if (group.world() > 1) ReplicaCheck.require(group, state.digest(), startStep);
    Progress.Builder bar = Progress.builder("train").total(o.steps()).unit("step");
    try (Progress progress = (leader ? bar : bar.mode(Progress.Mode.SILENT)).build()) {
      progress.advance(startStep);
      for (int step = startStep; step < end; step++) {
        long t0 = System.nanoTime();
        long[] mine = plan.indices(step);
        TrainBatch[] micro = new TrainBatch[mine.length];
        long counted = 0;
        for (int a = 0; a < micro.length; a++) {
          micro[a] = samples.batch(mine[a]);
          for (int t : micro[a].targets()) if (t >= 0) counted++;
        }
        counted = (long) group.allReduceSum(new double[] {counted})[0]; // the global count
        g.forEach(backend::zero);
        CrossEntropyLoss loss = new CrossEntropyLoss(0, 0);
        for (TrainBatch b : micro) loss = loss.plus(pass.forwardBackward(b, 1f / counted));
        if (group.world() > 1) {
          group.allReduceSum(g);
          double[] sums = group.allReduceSum(new double[] {loss.sum(), loss.count()});
          loss = new CrossEntropyLoss(sums[0], (long) sums[1]);
        }
        double lr = schedule.lr(step);
        AdamWConfig cfg = adam.withLr((float) lr);
        // Clip and step in one call (one wait on a GPU); a non-finite norm changes nothing.
        double norm = Double.isFinite(loss.mean())
            ? state.step(g, cfg, step + 1L, o.clip())
            : Math.sqrt(backend.sumOfSquares(g));
        if (!Double.isFinite(loss.mean()) || !Double.isFinite(norm)) {
          throw diverged(checkpoints, step, loss.mean(), norm);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        lastLoss = loss.mean();
        if (leader) metrics.log(step, lastLoss, lr, norm, tokensPerStep / seconds);
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
    if (!o.save()) {
      log.println("nothing saved (--no-save)");
    } else if (end == o.steps() && leader) {
      try {
        HfCheckpoint.write(o.out(), saved.toJson(), state.toWrite(DType.valueOf(o.saveDtype())),
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

  /** The config the run starts from (architecture and sizes; RoPE is the run's own). */
  private LlamaConfig baseConfig() {
    if ((o.model() == null) == (o.init() == null)) {
      throw new UserError("give exactly one of --model DIR (fine-tune) or --init CONFIG.json (pre-train)");
    }
    UserError.require(o.model() == null || Files.isDirectory(o.model()), "--model folder not found: "
        + o.model() + " (give a Hugging Face checkpoint folder holding config.json and *.safetensors)");
    return o.model() != null ? LlamaConfig.read(o.model().resolve(HfCheckpoint.CONFIG_FILE))
        : LlamaConfig.read(o.init());
  }

  private Path tokenizerPath() {
    if (o.tokenizer() != null) return o.tokenizer();
    if (o.model() != null) return o.model();
    throw new UserError("--init needs --tokenizer PATH (a tokenizer.json, copied into every checkpoint)");
  }

  /** The RoPE the run trains with: the chosen type at factor f over the window N. */
  RopeSpec ropeSpec(LlamaConfig c) {
    if (o.rope() == RopeType.DEFAULT) return RopeSpec.defaults(c.headDim(), c.ropeTheta(), o.window());
    return RopeSpec.of(o.rope(), c.headDim(), c.ropeTheta(), o.factor(), o.window());
  }

  /** config.json of the result: rope_scaling of the run, max_position_embeddings f·N. */
  private LlamaConfig savedConfig(LlamaConfig base, RopeSpec rope) {
    int maxPos = o.rope() == RopeType.DEFAULT && o.method() == PositionMethod.CONTIGUOUS
        ? o.window() : o.window() * o.factor();
    ObjectNode json = base.toJson();
    json.remove("rope_scaling");
    rope.withMaxPositionEmbeddings(maxPos).writeHfConfig(json);
    json.put("max_position_embeddings", maxPos);
    json.put("torch_dtype", DType.valueOf(o.saveDtype()).torchName());
    return LlamaConfig.fromJson(json);
  }

  /** The tokenizer.json file itself (--tokenizer may name its folder). */
  private static Path tokenizerFile(Path tokenizerPath) {
    return Files.isDirectory(tokenizerPath) ? tokenizerPath.resolve(TextTokenizer.TOKENIZER_FILE) : tokenizerPath;
  }

  /** Conversation lines are rendered by the tokenizer's chat template and tokenized as rendered. */
  private TokenizedCorpus openCorpus(DocumentSource data, TextTokenizer tokenizer, String tokenizerSha) {
    String key = tokenizerSha + (tokenizer.addsBos() ? "+bos" : "");
    DocumentSource withChat = data.withChatTemplate(ChatTemplates.find(tokenizer.sourceFile()).orElse(null));
    return TokenCache.inDefaultDir().open(withChat, tokenizer::encode, tokenizer::encodePlain, key);
  }

  private ObjectNode optionsJson() {
    ObjectNode n = Json.MAPPER.valueToTree(o);
    n.put("world", group.world());
    return n;
  }

  private static String describe(LlamaConfig c) {
    return c.numHiddenLayers() + "×" + c.hiddenSize() + " (" + c.numAttentionHeads() + " heads, "
        + c.numKeyValueHeads() + " kv)";
  }
}
