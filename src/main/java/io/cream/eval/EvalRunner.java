package io.cream.eval;

import io.cream.eval.chart.ResultCharts;
import io.cream.util.Json;
import io.cream.util.OutFolder;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one task on a model: every cell of the grid, every sample, with greedy decoding; a progress
 * line per cell on stderr; results.json rewritten after each cell (complete = false until the end)
 * and a chart.png beside it at the end.
 */
public final class EvalRunner {
  public static final String CHART_FILE = "chart.png";
  /** Prompts at least this long say when they are being built: fitting one takes a while. */
  static final int LONG_PROMPT = 32_768;

  private EvalRunner() {}

  /** Runs the task, writes outDir/results.json and outDir/chart.png, returns the results path. */
  public static Path run(String task, EvalModel model, EvalOptions opts, Path outDir) {
    return run(task, model, opts, outDir, System.err);
  }

  /** As {@link #run(String, EvalModel, EvalOptions, Path)}, with progress lines going to {@code progress}. */
  public static Path run(String taskName, EvalModel model, EvalOptions opts, Path outDir, PrintStream progress) {
    EvalTask task = EvalTasks.create(taskName);
    EvalOptions options = resolve(task, opts);
    List<Cell> cells = task.cells(options);
    String date = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    Path resultsFile = outDir.resolve(EvalResults.FILE_NAME);
    if (task instanceof GenerativeTask g) checkContext(g, cells, model, options);
    if (task instanceof PerplexityTask) for (Cell c : cells) PerplexityTask.windowFor(c.length(), model, options);
    OutFolder.requireWritable(outDir, "--out");
    checkLengths(task, cells, model, options, progress);

    CellProgress bar = new CellProgress(progress, task, cells);
    List<CaseRecord> records = new ArrayList<>();
    List<CellSummary> summaries = new ArrayList<>();
    for (Cell cell : cells) {
      long t0 = System.nanoTime();
      List<CaseRecord> cellRecords = switch (task) {
        case GenerativeTask g -> runGenerative(g, cell, model, options, progress);
        case PerplexityTask p -> runPerplexity(p, cell, model, options);
      };
      CellSummary summary = CellSummary.of(cell, cellRecords, (System.nanoTime() - t0) / 1e9);
      if (summary.n() == 0) progress.println("[" + task.name() + "] warning: no document has " + cell.length() + " tokens; that length has no score");
      records.addAll(cellRecords);
      summaries.add(summary);
      write(resultsFile, results(task, model, options, null, false, summaries, records, date));
      bar.cellDone(cell, summary);
    }
    EvalResults done = results(task, model, options, CHART_FILE, true, summaries, records, date);
    try {
      ResultCharts.writePng(ResultCharts.forRun(done), outDir.resolve(CHART_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the chart in " + outDir, e);
    } catch (Error | RuntimeException e) {
      // Java2D needs fonts to draw text; a bare server may have none. The scores matter more than
      // the picture: keep them, say why the chart is missing, and how to get it.
      progress.println("[" + task.name() + "] warning: no chart (" + e.getClass().getSimpleName()
          + ": " + e.getMessage() + "); install fonts (e.g. 'apt-get install fontconfig fonts-dejavu-core')"
          + " and run 'cream report' on this folder to draw it");
      done = results(task, model, options, null, true, summaries, records, date);
    }
    write(resultsFile, done);
    return resultsFile;
  }

  /** Fills the task's defaults (grid, new-token limits) and checks the options for this task. */
  static EvalOptions resolve(EvalTask task, EvalOptions opts) {
    opts.validate();
    opts = task.withDefaults(opts);
    if (task instanceof GenerativeTask g) {
      if (opts.maxNewTokens() == 0) opts = opts.withMaxNewTokens(g.defaultMaxNewTokens());
      // A task's default minimum yields to a smaller budget the user chose.
      if (opts.minNewTokens() < 0) opts = opts.withMinNewTokens(Math.min(g.defaultMinNewTokens(), opts.maxNewTokens()));
    }
    if (task instanceof PerplexityTask) {
      UserError.require(opts.dataDir() != null, "ppl needs documents: pass --data DIR (a folder of .txt or .txt.gz files)");
    }
    return opts;
  }

  /** Fails before any work when a target length cannot run on the model. */
  private static void checkContext(GenerativeTask task, List<Cell> cells, EvalModel model, EvalOptions o) {
    if (task instanceof KvRetrievalTask) return; // kv lengths count keys: checked per prompt
    int limit = model.contextLimit();
    for (Cell c : cells) {
      UserError.require((long) c.length() + o.maxNewTokens() <= limit,
          task.name() + ": length " + c.length() + " plus " + o.maxNewTokens() + " new tokens exceeds the model's context limit "
              + limit + "; use lengths up to " + (limit - o.maxNewTokens()));
    }
  }

  /**
   * Before any prompt is built: refuses a longest sequence that cannot fit in memory, and warns,
   * in one line, when lengths run past the model's window.
   */
  private static void checkLengths(EvalTask task, List<Cell> cells, EvalModel model, EvalOptions o, PrintStream progress) {
    if (task instanceof KvRetrievalTask) return; // kv lengths count keys: checked per prompt
    int longest = 0;
    int sequence = 0;
    for (Cell c : cells) {
      longest = Math.max(longest, c.length());
      int run = task instanceof PerplexityTask
          ? Math.min(c.length(), PerplexityTask.windowFor(c.length(), model, o)[0])
          : (int) Math.min(Integer.MAX_VALUE, (long) c.length() + o.maxNewTokens());
      sequence = Math.max(sequence, run);
    }
    model.requireMemoryFor(sequence);
    int window = model.window();
    if (window > 0 && longest > window) {
      progress.println("[" + task.name() + "] warning: lengths up to " + longest + " run past the model's window of "
          + window + " tokens (max_position_embeddings, or the target of its rope_scaling or --rope); scores there"
          + " measure extrapolation");
    }
  }

  private static List<CaseRecord> runGenerative(GenerativeTask task, Cell cell, EvalModel model, EvalOptions o,
      PrintStream progress) {
    List<CaseRecord> out = new ArrayList<>();
    for (int sample = 0; sample < o.samples(); sample++) {
      if (cell.length() >= LONG_PROMPT) {
        progress.println("[" + task.name() + "] building a prompt of " + cell.length() + " tokens (sample "
            + (sample + 1) + " of " + o.samples() + ")");
      }
      TaskPrompt prompt = task.prompt(cell, sample, model, o);
      UserError.require((long) prompt.ids().length + o.maxNewTokens() <= model.contextLimit(),
          task.name() + ": a prompt of " + prompt.ids().length + " tokens plus " + o.maxNewTokens()
              + " new tokens exceeds the model's context limit " + model.contextLimit() + "; use a smaller " + cell.describe(task));
      long t0 = System.nanoTime();
      int[] generated = model.generateGreedy(prompt.ids(), o.minNewTokens(), o.maxNewTokens());
      String reply = model.decode(generated);
      Score score = task.score(reply, prompt);
      out.add(CaseRecord.generated(cell, sample, prompt, reply, score, generated.length, (System.nanoTime() - t0) / 1e9));
    }
    return out;
  }

  private static List<CaseRecord> runPerplexity(PerplexityTask task, Cell cell, EvalModel model, EvalOptions o) {
    List<CaseRecord> out = new ArrayList<>();
    List<PerplexityTask.Document> docs = task.documentsFor(cell.length(), model, o);
    for (int i = 0; i < docs.size(); i++) {
      long t0 = System.nanoTime();
      PerplexityScoring.Nll nll = PerplexityTask.score(docs.get(i), cell.length(), model, o);
      out.add(CaseRecord.perplexity(cell, i, docs.get(i).name(), nll.sum(), nll.tokens(), (System.nanoTime() - t0) / 1e9));
    }
    return out;
  }

  private static EvalResults results(EvalTask task, EvalModel model, EvalOptions o, String chart, boolean complete,
      List<CellSummary> cells, List<CaseRecord> records, String date) {
    double seconds = cells.stream().mapToDouble(CellSummary::seconds).sum();
    double modelSeconds = records.stream().mapToDouble(CaseRecord::seconds).sum();
    long prompt = records.stream().mapToLong(r -> r.scoredTokens() != null ? r.scoredTokens() : r.promptTokens()).sum();
    long generated = records.stream().mapToLong(r -> r.generatedTokens() == null ? 0 : r.generatedTokens()).sum();
    var timings = new EvalResults.Timings(seconds, modelSeconds > 0 ? (prompt + generated) / modelSeconds : 0, prompt, generated);
    return new EvalResults(EvalResults.SCHEMA_VERSION, task.name(), model.name(), o.ropeOverride(), o.seed(),
        task.lengthUnit(), task.positionAxis().id(), o, chart, complete, List.copyOf(cells), List.copyOf(records),
        timings, CreamVersion.get(), date);
  }

  private static void write(Path file, EvalResults results) {
    try {
      Json.writeAtomically(file, results);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
