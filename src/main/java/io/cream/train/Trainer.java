package io.cream.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
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
import io.cream.util.Json;
import io.cream.util.Progress;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
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

  public Result run() throws IOException {
    Checkpoints checkpoints = new Checkpoints(o.out());
    Optional<Path> resumeFrom = checkpoints.latest();
    if (resumeFrom.isPresent() && !o.resume()) {
      throw new UserError(o.out() + " already holds a training run (" + resumeFrom.get().getFileName()
          + "); pass --resume to continue it, or choose another --out");
    }
    if (resumeFrom.isEmpty() && Files.isRegularFile(o.out().resolve(HfCheckpoint.CONFIG_FILE))) {
      throw new UserError(o.out() + " already holds a finished model; choose another --out");
    }
    Path tokenizerPath = tokenizerPath();
    try (TextTokenizer tokenizer = TextTokenizer.load(tokenizerPath)) {
      LlamaConfig base = baseConfig();
      UserError.require(tokenizer.vocabSize() <= base.vocabSize(), "the tokenizer has "
          + tokenizer.vocabSize() + " tokens but the model's vocab_size is " + base.vocabSize()
          + "; use the model's own tokenizer or raise vocab_size in the config");
      RopeSpec rope = ropeSpec(base);
      LlamaConfig saved = savedConfig(base, rope);
      int startStep = 0;
      LlamaWeights weights;
      OptimizerState opt;
      if (resumeFrom.isPresent()) {
        Path dir = resumeFrom.get();
        var state = Checkpoints.readState(dir);
        startStep = state.path("step").asInt();
        requireSameMicroBatches(state.path("options"));
        try (SafeTensorsReader r = SafeTensorsReader.open(dir)) {
          weights = WeightsIO.load(base, r, backend);
        }
        opt = OptimizerState.load(dir, base, backend);
        log.println("resuming from " + dir + " at step " + startStep);
      } else if (o.model() != null) {
        try (HfCheckpoint ckpt = HfCheckpoint.open(o.model())) {
          weights = WeightsIO.load(base, ckpt.tensors(), backend);
        }
        opt = OptimizerState.zeros(base, backend);
      } else {
        weights = WeightInit.random(base, backend, o.seed());
        opt = OptimizerState.zeros(base, backend);
      }
      try (LlamaModel model = new LlamaModel(base, backend, weights, rope.build());
          OptimizerState state = opt;
          LlamaWeights grads = LlamaWeights.zeros(base, backend);
          TokenizedCorpus corpus = openCorpus(tokenizer, tokenizerPath);
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
        if (samples.skippedShortDocuments() > 0) {
          log.printf("note: %,d document(s) shorter than %,d tokens left out (%s needs that many)%n",
              samples.skippedShortDocuments(), sampler.minDocumentLength(), o.method().name().toLowerCase());
        }
        if (samples.skippedPromptDocuments() > 0) {
          boolean packed = o.method() == PositionMethod.CONTIGUOUS;
          log.printf("note: %,d prompt/completion document(s) left out: %s uses those of %s tokens%n",
              samples.skippedPromptDocuments(), o.method().name().toLowerCase(), packed
                  ? "at most " + o.window()
                  : sampler.minDocumentLength() + " to " + o.window() * o.factor());
        }
        return loop(model, grads, state, pass, samples, metrics, checkpoints, saved, tokenizerPath,
            startStep);
      }
    }
  }

  private Result loop(LlamaModel model, LlamaWeights grads, OptimizerState state,
      TrainingPass pass, SampleSource samples, MetricsLog metrics, Checkpoints checkpoints,
      LlamaConfig saved, Path tokenizerPath, int startStep) throws IOException {
    LrSchedule schedule = new LrSchedule(o.lr(), o.warmup(), o.steps(), o.decay());
    AdamWConfig adam = new AdamWConfig(
        (float) o.lr(), (float) o.beta1(), (float) o.beta2(), (float) o.eps(), (float) o.weightDecay());
    List<Tensor> params = model.weights().all();
    List<Tensor> g = grads.all();
    List<Tensor> m = state.m().all();
    List<Tensor> v = state.v().all();
    int end = o.maxSteps() > 0 ? Math.min(o.steps(), startStep + o.maxSteps()) : o.steps();
    double lastLoss = Double.NaN;
    MicroBatchPlan plan = new MicroBatchPlan(o.gradAccum(), group.rank(), group.world());
    long tokensPerStep = (long) o.globalBatch() * group.world() * o.window();
    // Ranks start from the same weights (same seed or files); check rather than assume.
    if (group.world() > 1) ReplicaCheck.require(group, backend, params, startStep);
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
            ? backend.clipAndAdamW(params, g, m, v, cfg, step + 1L, o.clip())
            : Math.sqrt(backend.sumOfSquares(g));
        if (!Double.isFinite(loss.mean()) || !Double.isFinite(norm)) {
          throw new UserError("loss became " + loss.mean() + " (gradient norm " + norm + ") at step "
              + step + "; the last good checkpoint is kept in " + o.out().resolve("checkpoints")
              + " — lower --lr or raise --warmup and resume");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        lastLoss = loss.mean();
        if (leader) metrics.log(step, lastLoss, lr, norm, tokensPerStep / seconds);
        progress.setMessage(String.format("loss %.4f lr %.2e %,.0f tok/s", lastLoss, lr, tokensPerStep / seconds));
        progress.advance(1);
        int done = step + 1;
        if (done == o.steps() || (o.saveEvery() > 0 && done % o.saveEvery() == 0) || done == end) {
          if (group.world() > 1) {
            double digest = ReplicaCheck.require(group, backend, params, done);
            log.printf("step %d: weights identical on all %d ranks (digest %.17g)%n", done,
                group.world(), digest);
          }
          if (leader) saveCheckpoint(model, state, checkpoints, saved, tokenizerPath, done);
        }
      }
    }
    if (end == o.steps() && leader) {
      HfCheckpoint.write(o.out(), saved.toJson(), WeightsIO.toWrite(model.config(), model.weights(),
          backend, DType.valueOf(o.saveDtype())), tokenizerPath, 5L << 30);
      log.println("saved the model to " + o.out());
    }
    return new Result(end, lastLoss, o.out());
  }

  private void saveCheckpoint(LlamaModel model, OptimizerState state, Checkpoints checkpoints,
      LlamaConfig saved, Path tokenizerPath, int step) throws IOException {
    Path tmp = checkpoints.begin(step);
    HfCheckpoint.write(tmp, saved.toJson(),
        WeightsIO.toWrite(model.config(), model.weights(), backend, DType.F32), tokenizerPath, 0);
    state.save(tmp, model.config(), backend);
    Checkpoints.writeState(tmp, step, optionsJson());
    checkpoints.commit(tmp, step, o.keepCheckpoints());
  }

  /** The config the run starts from (architecture and sizes; RoPE is the run's own). */
  private LlamaConfig baseConfig() {
    if ((o.model() == null) == (o.init() == null)) {
      throw new UserError("give exactly one of --model DIR (fine-tune) or --init CONFIG.json (pre-train)");
    }
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
    json.put("torch_dtype", o.saveDtype().equals("BF16") ? "bfloat16" : o.saveDtype().equals("F16") ? "float16" : "float32");
    return LlamaConfig.fromJson(json);
  }

  private TokenizedCorpus openCorpus(TextTokenizer tokenizer, Path tokenizerPath) throws IOException {
    Path file = Files.isDirectory(tokenizerPath) ? tokenizerPath.resolve(TextTokenizer.TOKENIZER_FILE) : tokenizerPath;
    String key = sha256(file) + (tokenizer.addsBos() ? "+bos" : "");
    return TokenCache.inDefaultDir().open(DocumentSource.of(o.data()), tokenizer::encode, key);
  }

  private ObjectNode optionsJson() {
    ObjectNode n = Json.MAPPER.valueToTree(o);
    n.put("world", group.world());
    return n;
  }

  /**
   * A resumed run must cut its steps into the same micro-batches: gradAccum × world (GPUs) may be
   * split differently, but its product must not change.
   */
  private void requireSameMicroBatches(com.fasterxml.jackson.databind.JsonNode saved) {
    int accum = saved.path("gradAccum").asInt(o.gradAccum());
    int world = saved.path("world").asInt(1);
    int now = o.gradAccum() * group.world();
    if (accum * world != now) {
      throw new UserError("the run in " + o.out() + " was started with " + accum * world
          + " micro-batches per step (--grad-accum " + accum + " on " + world + " GPU(s)); this one"
          + " has " + now + " (--grad-accum " + o.gradAccum() + " on " + group.world()
          + "): resume with --grad-accum × GPUs = " + accum * world);
    }
  }

  private static String describe(LlamaConfig c) {
    return c.numHiddenLayers() + "×" + c.hiddenSize() + " (" + c.numAttentionHeads() + " heads, "
        + c.numKeyValueHeads() + " kv)";
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      try (var in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
