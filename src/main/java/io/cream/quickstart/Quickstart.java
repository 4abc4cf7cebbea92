package io.cream.quickstart;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.compare.Compare;
import io.cream.compare.ComparePlan;
import io.cream.compare.Layout;
import io.cream.compare.RunSpec;
import io.cream.eval.EvalResults;
import io.cream.io.HfCheckpoint;
import io.cream.model.LlamaConfig;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * The whole story on one machine, from the shipped base model (pre-trained by cream at window N):
 * extend it f× with PoSE and with CREAM on the CPU (CREAM's revised YaRN, the same budget, books
 * only), then measure perplexity and passkey accuracy at N and f·N for the base, the base with
 * linear interpolation and with revised YaRN and no fine-tuning, PoSE and CREAM. Revised YaRN,
 * because on these small bases linear interpolation erases retrieval and fine-tuning on books does
 * not restore it (docs/results.md). It is a small {@code cream compare} plan: stages already done
 * are reused, and a work folder made with another plan is refused.
 */
public final class Quickstart {
  /** The models compared, in table order: run name, method, RoPE, label. */
  enum Variant {
    BASE("base", "none", "none", "base (no scaling)"),
    LINEAR("pi-noft", "none", "linear", "linear interpolation, no fine-tuning"),
    YARN("yarn-noft", "none", "yarn-revised", "revised YaRN, no fine-tuning"),
    POSE("pose-yarn", "pose", "yarn-revised", "PoSE fine-tuned (revised YaRN)"),
    CREAM("cream-yarn", "cream", "yarn-revised", "CREAM fine-tuned (revised YaRN)");

    final String run;
    final String method;
    final String rope;
    final String label;

    Variant(String run, String method, String rope, String label) {
      this.run = run;
      this.method = method;
      this.rope = rope;
      this.label = label;
    }

  }

  /** The fetched corpus's book the shipped base models never saw (their validation split). */
  static final String HELD_OUT_BOOK = "chesterton-thursday";

  private final QuickstartPlan plan;
  private final Path work;
  private final Path base;
  private final Path corpus;
  private final PrintStream log;

  public Quickstart(QuickstartPlan plan, Path work, Path base, Path corpus, PrintStream log) {
    this.plan = plan;
    this.work = work.toAbsolutePath().normalize();
    this.base = base.toAbsolutePath().normalize();
    this.corpus = corpus;
    this.log = log;
  }

  /** Runs (or reuses) every stage; returns [variant][ppl 1×, ppl f×, passkey 1×, passkey f×]. */
  public double[][] run() throws IOException {
    UserError.require(Files.isRegularFile(base.resolve(HfCheckpoint.CONFIG_FILE)), "the quickstart's base model "
        + base + " is missing (it ships in the repository's models/ folder); pass --base DIR");
    LlamaConfig config = LlamaConfig.read(base.resolve(HfCheckpoint.CONFIG_FILE));
    UserError.require(config.raw().path("rope_scaling").isMissingNode() || config.raw().path("rope_scaling").isNull(),
        base + " already carries a rope_scaling (an extended model); pass --base with a model that has none");
    int window = config.maxPositionEmbeddings();
    Files.createDirectories(work);
    prepareBooks(work.resolve("data/finetune"), work.resolve("data/heldout"), window);
    Path planFile = work.resolve("plan.json");
    Json.writeAtomically(planFile, planJson(window));
    log.printf("== extend %s (window %d) %d× with PoSE and with CREAM on the CPU (%d steps of %d × %d tokens"
        + " each), then evaluate %d models at %d and %d tokens%n", base.getFileName(), window, plan.factor(),
        plan.finetuneSteps(), plan.batch(), window, Variant.values().length, window, window * plan.factor());
    ComparePlan comparePlan = ComparePlan.read(planFile);
    Layout layout = new Layout(work.resolve("compare"));
    new Compare(comparePlan, layout.dir(), CpuBackend::new, "cpu", log, Duration.ofSeconds(2)).run();
    double[][] table = new double[Variant.values().length][];
    for (Variant v : Variant.values()) {
      RunSpec run = comparePlan.run(v.run);
      Path eval = layout.modelFolder(run, run.finetunes() ? plan.seed() : null).resolve("eval");
      table[v.ordinal()] = row(eval, window, window * plan.factor());
    }
    printTable(table, window, window * plan.factor());
    log.println("report: " + layout.report());
    return table;
  }

  /** The plan: the runs of the table, passkey and perplexity at N and f·N. */
  private ObjectNode planJson(int window) {
    ObjectNode p = Json.object();
    p.put("description", "cream quickstart: " + base.getFileName() + " extended " + plan.factor() + "x");
    p.put("base", base.toString());
    p.put("data", "data/finetune");
    p.put("window", window);
    p.put("factor", plan.factor());
    p.putArray("seeds").add(plan.seed());
    ObjectNode ft = p.putObject("finetune");
    ft.put("steps", plan.finetuneSteps());
    ft.put("batch", plan.batch());
    ft.put("lr", plan.lr());
    ft.put("warmup", Math.max(1, plan.finetuneSteps() / 10));
    // Six books make six documents: cut them into target-window pieces instead.
    ft.put("sample_from", "pieces");
    ArrayNode runs = p.putArray("runs");
    for (Variant v : Variant.values()) runs.addObject().put("name", v.run).put("method", v.method).put("rope", v.rope);
    ArrayNode evals = p.putArray("evals");
    ObjectNode passkey = evals.addObject().put("task", "passkey").put("samples", plan.samples());
    passkey.putArray("lengths").add(window).add(window * plan.factor());
    plan.depths().forEach(passkey.putArray("depths")::add);
    ObjectNode ppl = evals.addObject().put("task", "ppl").put("samples", plan.pplDocuments()).put("data", "data/heldout");
    ppl.putArray("lengths").add(window).add(window * plan.factor());
    return p;
  }

  /**
   * The fetched books: all but the held-out one are the fine-tuning text; the held-out one, cut
   * into pieces longer than f·N tokens, holds the documents perplexity is measured on.
   */
  private void prepareBooks(Path finetune, Path heldOut, int window) throws IOException {
    List<Path> books;
    try (Stream<Path> s = Files.list(corpus)) {
      books = s.filter(p -> p.getFileName().toString().matches(".*\\.txt(\\.gz)?")).sorted().toList();
    }
    Path held = books.stream().filter(p -> p.getFileName().toString().startsWith(HELD_OUT_BOOK)).findFirst()
        .orElseThrow(() -> new UserError("the corpus " + corpus + " has no " + HELD_OUT_BOOK
            + " book to hold out (run './cream fetch corpus')"));
    UserError.require(books.size() >= 2, "the corpus " + corpus + " has no book to fine-tune on besides "
        + HELD_OUT_BOOK + " (run './cream fetch corpus')");
    if (!Files.isDirectory(heldOut)) {
      Path tmp = Files.createTempDirectory(work, ".heldout-");
      // About 6 characters a token of f·N tokens: every piece reaches the longest length.
      HeldOutText.split(held, tmp, window * plan.factor() * 6, plan.pplDocuments() + 2);
      Files.createDirectories(heldOut.getParent());
      Files.move(tmp, heldOut);
    }
    if (!Files.isDirectory(finetune)) {
      Path tmp = Files.createTempDirectory(work, ".books-");
      for (Path b : books) if (!b.equals(held)) Files.copy(b, tmp.resolve(b.getFileName()));
      Files.move(tmp, finetune);
    }
  }

  /** Perplexity and passkey accuracy at the base window and at the target window. */
  private static double[] row(Path eval, int n, int s) {
    EvalResults ppl = EvalResults.read(eval.resolve("ppl/results.json"));
    EvalResults pk = EvalResults.read(eval.resolve("passkey/results.json"));
    return new double[] {perplexityAt(ppl, n), perplexityAt(ppl, s), accuracyAt(pk, n), accuracyAt(pk, s)};
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

  private void printTable(double[][] t, int n, int s) {
    PrintStream out = System.out;
    out.println();
    out.printf("held-out perplexity, and passkey accuracy (%d depths × %d samples per length)%n",
        plan.depths().size(), plan.samples());
    out.printf("  %-38s %9s %9s %11s %11s%n", "model", "ppl@" + n, "ppl@" + s, "passkey@" + n, "passkey@" + s);
    for (Variant v : Variant.values()) {
      double[] r = t[v.ordinal()];
      out.printf("  %-38s %9.1f %9.1f %10.0f%% %10.0f%%%n", v.label, r[0], r[1], 100 * r[2], 100 * r[3]);
    }
  }
}
