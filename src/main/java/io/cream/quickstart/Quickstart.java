package io.cream.quickstart;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.data.DocumentSource;
import io.cream.eval.EvalOptions;
import io.cream.eval.EvalResults;
import io.cream.eval.EvalRunner;
import io.cream.eval.LlamaEvalModel;
import io.cream.data.SmallVocabulary;
import io.cream.eval.PasskeyTask;
import io.cream.eval.report.HtmlReport;
import io.cream.io.HfCheckpoint;
import io.cream.io.TextTokenizer;
import io.cream.model.ModelLoader;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.SampleStream;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.train.LrSchedule;
import io.cream.train.SampleUnit;
import io.cream.train.TrainOptions;
import io.cream.train.Trainer;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The whole story on one machine: pre-train a small model at window N with synthetic passkey
 * documents mixed into books, extend it f× with PoSE and with CREAM (linear interpolation, the same
 * fine-tuning budget), and measure passkey accuracy at N and f·N for the base model, the base
 * model with linear interpolation and no fine-tuning, PoSE and CREAM. Every stage is skipped when
 * its output already exists, so a second run only re-prints the table.
 */
public final class Quickstart {
  /** The four models compared, in table order. */
  enum Variant {
    BASE("base (no scaling)"),
    LINEAR("linear interpolation, no fine-tuning"),
    POSE("PoSE fine-tuned (linear)"),
    CREAM("CREAM fine-tuned (linear)");

    final String label;

    Variant(String label) {
      this.label = label;
    }

    String dir() {
      return name().toLowerCase();
    }
  }

  /** Bumped when the data or training recipe changes, so old work folders are not reused. */
  static final int RECIPE = 2;
  private static final String SYNTHETIC = "synthetic-passkey.jsonl";
  private final QuickstartPlan plan;
  private final Path work;
  private final Path corpus;
  private final Path sourceTokenizer;
  private Path tokenizer;
  private final PrintStream log;

  public Quickstart(QuickstartPlan plan, Path work, Path corpus, Path tokenizer, PrintStream log) {
    this.plan = plan;
    this.work = work;
    this.corpus = corpus;
    this.sourceTokenizer = tokenizer;
    this.tokenizer = tokenizer;
    this.log = log;
  }

  /** Runs (or reuses) every stage; returns [variant][ppl 1×, ppl f×, passkey 1×, passkey f×]. */
  public double[][] run() throws IOException {
    Files.createDirectories(work);
    checkPlan();
    Path pretrainData = work.resolve("data/pretrain");
    Path finetuneData = work.resolve("data/finetune");
    Path heldOut = work.resolve("data/heldout");
    prepareBooks(pretrainData, finetuneData, heldOut);
    tokenizer = smallVocabulary(pretrainData);
    prepareRetrievalDocs(pretrainData, finetuneData);
    Path base = work.resolve("models/base");
    Path pose = work.resolve("models/pose");
    Path cream = work.resolve("models/cream");
    stage("1/4 pre-train the base model at window " + plan.window(), base,
        () -> train(null, pretrainData, base, PositionMethod.CONTIGUOUS, RopeType.DEFAULT,
            plan.pretrainSteps(), plan.pretrainLr(), Math.max(1, plan.pretrainSteps() / 20)));
    stage("2/4 extend " + plan.factor() + "× with PoSE", pose,
        () -> train(base, finetuneData, pose, PositionMethod.POSE, RopeType.LINEAR,
            plan.finetuneSteps(), plan.finetuneLr(), Math.max(1, plan.finetuneSteps() / 10)));
    stage("3/4 extend " + plan.factor() + "× with CREAM", cream,
        () -> train(base, finetuneData, cream, PositionMethod.CREAM, RopeType.LINEAR,
            plan.finetuneSteps(), plan.finetuneLr(), Math.max(1, plan.finetuneSteps() / 10)));
    log.println("== 4/4 perplexity and passkey at " + plan.window() + " and " + plan.targetWindow() + " tokens");
    double[][] table = new double[Variant.values().length][];
    List<Path> results = new ArrayList<>();
    for (Variant v : Variant.values()) {
      Path model = switch (v) {
        case BASE, LINEAR -> base;
        case POSE -> pose;
        case CREAM -> cream;
      };
      Path out = work.resolve("eval/" + v.dir());
      results.add(evaluate(v, model, out.resolve("passkey"), "passkey", heldOut));
      results.add(evaluate(v, model, out.resolve("ppl"), "ppl", heldOut));
      table[v.ordinal()] = row(out);
    }
    Path report = work.resolve("report.html");
    HtmlReport.write(results, report, "cream quickstart: perplexity and passkey at " + plan.window() + " and "
        + plan.targetWindow() + " tokens");
    printTable(table);
    log.println("report: " + report.toAbsolutePath());
    return table;
  }

  /**
   * Reusing stages is only sound for the same plan: a work folder made with other settings (or by
   * an older recipe) is refused rather than mixed with this one.
   */
  private void checkPlan() throws IOException {
    Path file = work.resolve("plan.json");
    ObjectNode plain = Json.MAPPER.valueToTree(plan);
    plain.put("recipe", RECIPE);
    // Through text, so numbers compare as they will read back (an int and a long are not equal nodes).
    var now = Json.MAPPER.readTree(Json.compact(plain));
    if (Files.isRegularFile(file)) {
      UserError.require(Json.read(file).equals(now), work + " holds a quickstart made with other settings"
          + " or an older recipe (" + file + "); delete that folder or pass --work NEW_DIR");
      return;
    }
    try (Stream<Path> s = Files.list(work)) {
      UserError.require(s.findAny().isEmpty(), work + " is not empty and has no plan.json (not a"
          + " quickstart folder of this version); delete it or pass --work NEW_DIR");
    }
    Json.writeAtomically(file, now);
  }

  private interface Stage {
    void run() throws IOException;
  }

  private void stage(String title, Path out, Stage body) throws IOException {
    if (Files.isRegularFile(out.resolve(HfCheckpoint.CONFIG_FILE))) {
      log.println("== " + title + ": done before, reusing " + out);
      return;
    }
    log.println("== " + title);
    long t0 = System.nanoTime();
    body.run();
    log.printf("   took %.1f min%n", (System.nanoTime() - t0) / 60e9);
  }

  /**
   * The books: the smallest plan.books() go into pre-training and fine-tuning text; the next one,
   * never trained on, cut into pieces, holds the documents perplexity is measured on.
   */
  private void prepareBooks(Path pretrain, Path finetune, Path heldOut) throws IOException {
    List<Path> all;
    try (Stream<Path> s = Files.list(corpus)) {
      all = s.filter(p -> p.getFileName().toString().matches(".*\\.txt(\\.gz)?"))
          .sorted(Comparator.comparingLong(Quickstart::size).thenComparing(Path::toString)).toList();
    }
    UserError.require(all.size() > plan.books(), "the corpus " + corpus + " has " + all.size()
        + " .txt books; the quickstart needs more than " + plan.books() + " (run './cream fetch corpus')");
    List<Path> books = all.subList(0, plan.books());
    Files.createDirectories(pretrain.getParent());
    if (!Files.isDirectory(heldOut)) {
      Path tmp = Files.createTempDirectory(work, ".heldout-");
      HeldOutText.split(all.get(plan.books()), tmp, plan.targetWindow() * 6, 16);
      Files.move(tmp, heldOut);
    }
    for (Path folder : List.of(pretrain, finetune)) {
      if (Files.isDirectory(folder)) continue;
      Path tmp = Files.createTempDirectory(work, ".books-");
      for (Path b : books) Files.copy(b, tmp.resolve(b.getFileName()));
      Files.move(tmp, folder);
    }
  }

  /**
   * Passkey prompt/completion documents, trained on the answer: short ones (fitting the base
   * window) teach retrieval in pre-training; ones just longer than the window go into the
   * fine-tunes, so that PoSE and CREAM spread them over the long positions they teach.
   */
  private void prepareRetrievalDocs(Path pretrain, Path finetune) throws IOException {
    Path shortDocs = pretrain.resolve(SYNTHETIC);
    Path longDocs = finetune.resolve(SYNTHETIC);
    if (Files.isRegularFile(shortDocs) && Files.isRegularFile(longDocs)) return;
    try (TextTokenizer t = TextTokenizer.load(tokenizer)) {
      SyntheticPasskeyDocs.write(shortDocs, plan.shortDocs(), plan.window() / 4, plan.window(), t, plan.seed());
      // Filler comes in whole sentences, so aim past N + 1 (CREAM's shortest document) by a few.
      SyntheticPasskeyDocs.write(longDocs, plan.longDocs(), longMin(), longMax(), t, plan.seed() + 1);
    }
    log.println("   training text: " + plan.books() + " book(s) + synthetic passkey documents ("
        + plan.shortDocs() + " of " + plan.window() / 4 + "–" + plan.window() + " tokens for pre-training, "
        + plan.longDocs() + " of " + longMin() + "–" + longMax()
        + " for the fine-tunes; loss on the answer only) in " + pretrain.getParent());
  }

  private int longMin() {
    return plan.window() + 16;
  }

  private int longMax() {
    return plan.window() + plan.window() / 8 + 16;
  }

  /** The tokenizer the base model is trained with: a small vocabulary cut for this text. */
  private Path smallVocabulary(Path books) throws IOException {
    if (plan.vocabulary() <= 0) return sourceTokenizer;
    Path dir = work.resolve("tokenizer");
    Path file = dir.resolve(TextTokenizer.TOKENIZER_FILE);
    if (Files.isRegularFile(file)) return file;
    List<String> texts = new ArrayList<>();
    DocumentSource.of(books).forEach(d -> texts.add(d.text()));
    // The passkey prompts' words and every digit, weighted like the retrieval documents.
    SplittableRandom rng = new SplittableRandom(plan.seed());
    for (int i = 0; i < 200; i++) {
      String key = PasskeyTask.randomKey(rng);
      texts.add(PasskeyTask.prompt(key, 1 + rng.nextInt(20), rng.nextDouble() * 100) + " " + key + ".");
    }
    SmallVocabulary.write(sourceTokenizer, texts, plan.vocabulary(), dir);
    log.println("   vocabulary: the " + plan.vocabulary() + " pieces of " + sourceTokenizer.getFileName()
        + " this text uses most (" + file + ")");
    return file;
  }

  private void train(Path from, Path data, Path out, PositionMethod method, RopeType rope,
      int steps, double lr, int warmup) throws IOException {
    Path init = null;
    if (from == null) {
      init = work.resolve("base-config.json");
      Json.writeAtomically(init, baseConfig());
    }
    // Pieces, not one sample per document: six books would otherwise give six samples an epoch,
    // all from their first and last pages.
    TrainOptions o = new TrainOptions(from, init, from == null ? tokenizer : null, data, out,
        plan.window(), plan.factor(), method, rope, 3.0, BranchMode.PER_SAMPLE, SampleStream.REFERENCE_BATCH,
        SampleUnit.PIECES, steps,
        plan.batch(), 1, lr, warmup, LrSchedule.Decay.COSINE, 0.0, 0.9, 0.98, 1e-8, 1.0,
        plan.seed(), false, Math.max(1, steps / 4), 1, "F32", Files.isDirectory(out.resolve("checkpoints")), 0);
    try (CpuBackend backend = new CpuBackend()) {
      new Trainer(o, backend, log).run();
    }
  }

  private ObjectNode baseConfig() {
    ObjectNode c = Json.object();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("hidden_size", plan.hidden());
    c.put("intermediate_size", plan.hidden() * 8 / 3 / 32 * 32 + 32);
    c.put("num_hidden_layers", plan.layers());
    c.put("num_attention_heads", plan.heads());
    c.put("num_key_value_heads", plan.kvHeads());
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", plan.ropeTheta());
    c.put("max_position_embeddings", plan.window());
    try (TextTokenizer t = TextTokenizer.load(tokenizer)) {
      c.put("vocab_size", t.vocabSize());
      c.put("bos_token_id", t.bosId());
      c.put("eos_token_id", t.eosId());
    }
    c.put("tie_word_embeddings", true);
    return c;
  }

  private Path evaluate(Variant v, Path model, Path out, String task, Path heldOut) throws IOException {
    Path results = out.resolve("results.json");
    if (Files.isRegularFile(results) && EvalResults.read(results).complete()) {
      log.println("   " + v.label + " " + task + ": done before, reusing " + results);
      return results;
    }
    RopeSpec rope = null;
    if (v == Variant.LINEAR) {
      var c = io.cream.model.LlamaConfig.read(model.resolve(HfCheckpoint.CONFIG_FILE));
      rope = RopeSpec.of(RopeType.LINEAR, c.headDim(), c.ropeTheta(), plan.factor(), plan.window());
    }
    EvalOptions o = EvalOptions.defaults()
        .withLengths(List.of(plan.window(), plan.targetWindow()))
        .withDepths(List.of(0.0, 25.0, 50.0, 75.0, 100.0))
        .withSamples(task.equals("ppl") ? 16 : plan.samples()).withSeed(plan.seed() + 100)
        .withDataDir(heldOut)
        .withRopeOverride(v == Variant.LINEAR ? "linear×" + plan.factor() : null);
    log.println("   " + v.label + ": " + task);
    try (CpuBackend backend = new CpuBackend();
        LlamaEvalModel m = new LlamaEvalModel(v.dir(), ModelLoader.load(model, backend, rope),
            TextTokenizer.load(model), Integer.MAX_VALUE)) {
      return EvalRunner.run(task, m, o, out, log);
    }
  }

  /** Perplexity and passkey accuracy at the base window and at the target window. */
  private double[] row(Path dir) {
    EvalResults ppl = EvalResults.read(dir.resolve("ppl/results.json"));
    EvalResults pk = EvalResults.read(dir.resolve("passkey/results.json"));
    return new double[] {perplexityAt(ppl, plan.window()), perplexityAt(ppl, plan.targetWindow()),
        accuracyAt(pk, plan.window()), accuracyAt(pk, plan.targetWindow())};
  }

  private static double perplexityAt(EvalResults r, int length) {
    for (var c : r.cells()) if (c.length() == length && c.perplexity() != null) return c.perplexity();
    return Double.NaN;
  }

  /** Sample-weighted accuracy over the cells of one length. */
  private static double accuracyAt(EvalResults r, int length) {
    double correct = 0;
    int n = 0;
    for (var c : r.cells()) {
      if (c.length() != length || c.accuracy() == null) continue;
      correct += c.accuracy() * c.n();
      n += c.n();
    }
    return n == 0 ? Double.NaN : correct / n;
  }

  private void printTable(double[][] t) {
    PrintStream out = System.out;
    out.println();
    int n = plan.window(), s = plan.targetWindow();
    out.printf("held-out perplexity, and passkey accuracy (%d depths × %d samples per length)%n", 5, plan.samples());
    out.printf("  %-38s %9s %9s %11s %11s%n", "model", "ppl@" + n, "ppl@" + s, "passkey@" + n, "passkey@" + s);
    for (Variant v : Variant.values()) {
      double[] r = t[v.ordinal()];
      out.printf("  %-38s %9.1f %9.1f %10.0f%% %10.0f%%%n", v.label, r[0], r[1], 100 * r[2], 100 * r[3]);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return Long.MAX_VALUE;
    }
  }
}
