package io.cream.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.chat.ChatTemplates;
import io.cream.data.DocumentSource;
import io.cream.data.TokenCache;
import io.cream.data.TokenizedCorpus;
import io.cream.io.HfCheckpoint;
import io.cream.io.SafeTensorsReader;
import io.cream.io.TextTokenizer;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.TrainingPass;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSampler;
import io.cream.positions.SampleStream;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Everything a training run opens before its first step, in the order the run checks it: the
 * tokenizer's path and the model's config.json; the memory plan, printed, and a run that cannot
 * fit refused before anything is allocated; the output folder's {@link RunLock} and the
 * {@link Leftovers} of killed saves; the checkpoint to resume from (an --out holding another run
 * or a finished model is refused, a resume must keep its {@link RunSettings}); the tokenizer; the
 * RoPE the run trains with and the config.json it saves; the weights and optimizer state
 * ({@link TrainState}: resumed, loaded from --model or initialised, on the device or in host
 * memory as the plan chose); the model, its gradients, the token cache, the {@link TrainingPass}
 * and the metrics log; the samples ({@link SampleSource}). {@link Trainer} runs its step loop on
 * what this holds; closing it releases everything in reverse order, the lock last.
 *
 * @param complete a resumed run that had already finished, with nothing to do (then state, grads,
 *     pass, metrics and samples are null); else null
 * @param startStep 0, or the step of the checkpoint resumed from
 * @param saved config.json of the run's checkpoints and model: its RoPE scaling, f·N positions
 * @param tokenizerPath the tokenizer.json (or its folder) copied into every checkpoint
 * @param state the weights the passes read, master weights and AdamW moments
 * @param metrics metrics.jsonl on rank 0; null on the other ranks
 * @param opened everything opened, to close
 */
record TrainSetup(Trainer.Result complete, MemoryPlan plan, int startStep, Checkpoints checkpoints,
    LlamaConfig saved, Path tokenizerPath, TrainState state, LlamaWeights grads, TrainingPass pass,
    MetricsLog metrics, SampleSource samples, Opened opened) implements AutoCloseable {
  /**
   * Sets up the run of options o on backend as one rank of group, logging to log (which prints
   * nothing on ranks other than 0); what was opened before a failure is closed again.
   */
  static TrainSetup open(TrainOptions o, Backend backend, Collective group, PrintStream log) throws IOException {
    Opened opened = new Opened();
    try {
      return new Opening(o, backend, group, log, opened).setUp();
    } catch (Throwable e) {
      opened.closeAll(e);
      throw e;
    }
  }

  /** Closes what was opened, the last first (the run lock last). */
  @Override
  public void close() throws IOException {
    opened.closeAll(null);
  }

  /** The config the run starts from (architecture and sizes; RoPE is the run's own). */
  static LlamaConfig baseConfig(TrainOptions o) {
    if ((o.model() == null) == (o.init() == null)) {
      throw new UserError("give exactly one of --model DIR (fine-tune) or --init CONFIG.json (pre-train)");
    }
    UserError.require(o.model() == null || Files.isDirectory(o.model()), "--model folder not found: "
        + o.model() + " (give a Hugging Face checkpoint folder holding config.json and *.safetensors)");
    return o.model() != null ? LlamaConfig.read(o.model().resolve(HfCheckpoint.CONFIG_FILE))
        : LlamaConfig.read(o.init());
  }

  /** What a setup opened: closed the last first, as nested try-with-resources close. */
  static final class Opened {
    private final Deque<AutoCloseable> all = new ArrayDeque<>();

    private <T extends AutoCloseable> T hold(T resource) {
      if (resource != null) all.push(resource);
      return resource;
    }

    /**
     * Closes everything: a failure to close is added to primary's suppressed exceptions, or,
     * without one, the first is thrown with the others added to it.
     */
    private void closeAll(Throwable primary) throws IOException {
      Throwable first = primary;
      while (!all.isEmpty()) {
        try {
          all.pop().close();
        } catch (Throwable e) {
          if (first == null) first = e;
          else first.addSuppressed(e);
        }
      }
      if (primary != null || first == null) return;
      if (first instanceof IOException e) throw e;
      if (first instanceof RuntimeException e) throw e;
      if (first instanceof Error e) throw e;
      throw new IOException(first);
    }
  }

  /** The setting up itself, with what it needs at hand. */
  private record Opening(TrainOptions o, Backend backend, Collective group, PrintStream log, Opened opened) {
    private boolean leader() {
      return group.rank() == 0;
    }

    TrainSetup setUp() throws IOException {
      Path tokenizerPath = tokenizerPath(o);
      LlamaConfig base = baseConfig(o);
      MemoryPlan plan = MemoryPlan.of(base, o, backend, group.world());
      plan.print(log);
      plan.requireFits();
      if (plan.autoNote() != null) log.println("note: " + plan.autoNote());
      if (plan.copiesNote() != null) log.println("note: " + plan.copiesNote());
      opened.hold(leader() ? RunLock.acquire(o.out()) : null);
      if (leader()) removeLeftovers();
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
      TextTokenizer tokenizer = opened.hold(TextTokenizer.load(tokenizerPath));
      UserError.require(tokenizer.vocabSize() <= base.vocabSize(), "the tokenizer has "
          + tokenizer.vocabSize() + " tokens but the model's vocab_size is " + base.vocabSize()
          + "; use the model's own tokenizer or raise vocab_size in the config");
      RopeSpec rope = ropeSpec(base);
      LlamaConfig saved = savedConfig(base, rope);
      DocumentSource data = DocumentSource.of(o.data());
      String tokenizerSha = RunSettings.sha256(tokenizerFile(tokenizerPath));
      RunSettings settings = RunSettings.of(o, group.world(), backend.precisionLabel(), tokenizerSha, data);
      int startStep = 0;
      TrainState state;
      if (resumeFrom.isPresent()) {
        Path dir = resumeFrom.get();
        requireSameSettings(settings);
        startStep = Checkpoints.step(dir, o.steps());
        if (startStep == o.steps() && Files.isRegularFile(o.out().resolve(HfCheckpoint.CONFIG_FILE))) {
          log.println("the run in " + o.out() + " is already complete (step " + startStep + "); nothing to do");
          Trainer.Result complete = new Trainer.Result(startStep, Checkpoints.loss(dir), o.out());
          return new TrainSetup(complete, plan, startStep, checkpoints, saved, tokenizerPath, null, null, null,
              null, null, opened);
        }
        try (SafeTensorsReader r = SafeTensorsReader.open(dir);
            SafeTensorsReader opt = SafeTensorsReader.open(dir.resolve(OptimizerState.FILE))) {
          state = opened.hold(TrainState.create(base, backend, plan.offload(), plan.copies(), WeightsIO.values(base, r),
              false, OptimizerState.values(opt, "m"), OptimizerState.values(opt, "v")));
        }
        log.println("resuming from " + dir + " at step " + startStep);
      } else {
        if (leader()) settings.save(o.out());
        if (o.model() != null) {
          try (HfCheckpoint ckpt = HfCheckpoint.open(o.model())) {
            state = opened.hold(TrainState.create(base, backend, plan.offload(), plan.copies(),
                WeightsIO.values(base, ckpt.tensors()), false, null, null));
          }
        } else {
          state = opened.hold(TrainState.create(base, backend, plan.offload(), plan.copies(),
              WeightInit.values(base, o.seed()), true, null, null));
        }
      }
      LlamaModel model = opened.hold(new LlamaModel(base, backend, state.weights(), rope.build()));
      LlamaWeights grads = opened.hold(LlamaWeights.zeros(base, backend));
      TokenizedCorpus corpus = opened.hold(openCorpus(data, tokenizer, tokenizerSha));
      TrainingPass pass = opened.hold(new TrainingPass(model, grads, o.batch(), o.window(), o.recompute()));
      MetricsLog metrics = opened.hold(leader() ? MetricsLog.open(o.out().resolve("metrics.jsonl"), startStep) : null);
      PositionSampler sampler = PositionSampler.create(o.method(), o.window(), o.factor(), o.sigma());
      SampleStream stream = new SampleStream(sampler, o.branchMode(), o.branchBatchSize(), o.seed());
      SampleSource samples = new SampleSource(corpus, stream, o.sampleUnit(), o.batch(), o.seed(), tokenizer.eosId());
      log.printf("training %s (%,d parameters) with %s positions, rope %s, window %d → %d; "
              + "%,d samples per epoch (%s)%n", describe(base), ParamLayout.count(base),
          o.method().name().toLowerCase(), rope.type().cliName(), o.window(),
          o.window() * o.factor(), samples.samplesPerEpoch(), o.method() == PositionMethod.CONTIGUOUS
              ? "packed windows" : "one per " + switch (o.sampleUnit()) {
                case PIECES -> "piece";
                case WINDOWS -> "window at a random offset";
                case DOCUMENTS -> "document";
              });
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
                : sampler.minDocumentLength() + " to " + sampler.longestCompletionDocument());
      }
      return new TrainSetup(null, plan, startStep, checkpoints, saved, tokenizerPath, state, grads, pass,
          metrics, samples, opened);
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

    private static Path tokenizerPath(TrainOptions o) {
      if (o.tokenizer() != null) return o.tokenizer();
      if (o.model() != null) return o.model();
      throw new UserError("--init needs --tokenizer PATH (a tokenizer.json, copied into every checkpoint)");
    }

    /** The RoPE the run trains with: the chosen type at factor f over the window N. */
    private RopeSpec ropeSpec(LlamaConfig c) {
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
      json.put("torch_dtype", o.saveDtype().torchName());
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

    private static String describe(LlamaConfig c) {
      return c.numHiddenLayers() + "×" + c.hiddenSize() + " (" + c.numAttentionHeads() + " heads, "
          + c.numKeyValueHeads() + " kv)";
    }
  }
}
