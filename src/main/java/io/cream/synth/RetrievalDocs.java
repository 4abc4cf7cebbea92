package io.cream.synth;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.eval.Cell;
import io.cream.eval.EvalOptions;
import io.cream.eval.EvalTasks;
import io.cream.eval.GenerativeTask;
import io.cream.eval.LengthFitter;
import io.cream.eval.TaskPrompt;
import io.cream.io.TextTokenizer;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Synthetic retrieval documents for training, as prompt/completion pairs built by the evaluation
 * tasks' own prompt builders (so the model is trained on exactly the format it is tested on) with
 * the answer as completion: {@code {"prompt": <task prompt>, "completion": " <answer>"}}. Trained
 * on the completion only, such documents teach a small model to retrieve; the evaluation then
 * runs on other seeds (other keys, values and lines).
 *
 * <p>Document i depends only on (seed, i): its total length (prompt and answer, in tokens of the
 * given tokenizer, BOS included) is drawn uniformly from [max(minTokens, shortest), maxTokens],
 * where shortest is the task's prompt with the least filler and a few tokens of slack (a length
 * below it could only collapse onto it), then the task's
 * position (passkey and needle depth uniform in 0–100 %, kv gold index uniform over the keys that
 * fit). Generation runs on all cores; the output does not depend on their number.
 */
public final class RetrievalDocs {
  /** The tasks that have an answer to train on. */
  public static final java.util.List<String> TASKS = java.util.List.of("passkey", "kv", "lines", "needle");

  private final String taskName;
  private final Path tokenizerFile;
  private final EvalOptions options;

  /**
   * @param options the task options (e.g. the kv key format); their seed is the documents' seed
   */
  public RetrievalDocs(String task, Path tokenizerFile, EvalOptions options) {
    UserError.require(TASKS.contains(task), "synth: unknown task '" + task + "'; choose one of " + String.join(", ", TASKS));
    this.taskName = task;
    this.tokenizerFile = tokenizerFile;
    this.options = options;
  }

  /** Per thread: a tokenizer and a task (tasks keep length-search hints, not thread-safe). */
  private final class Worker {
    final TokenizerModel model = new TokenizerModel(TextTokenizer.load(tokenizerFile));
    final GenerativeTask task = (GenerativeTask) EvalTasks.create(taskName);
    /** kv: the last number of keys that fitted, where the next search starts. */
    int keysHint = -1;
  }

  /**
   * @param lines the documents as JSON lines (each ending in a newline), in index order
   * @param shortest the shortest length drawn (the task's shortest prompt, or minTokens if longer)
   */
  public record Documents(String[] lines, int shortest) {}

  /** {@code count} documents of [minTokens, maxTokens] tokens (see the class comment). */
  public Documents generate(int count, int minTokens, int maxTokens) {
    UserError.require(count >= 1, "synth: --count must be at least 1");
    UserError.require(minTokens >= 1 && minTokens <= maxTokens,
        "synth: need 1 ≤ --min-tokens ≤ --max-tokens (got " + minTokens + ", " + maxTokens + ")");
    ThreadLocal<Worker> workers = ThreadLocal.withInitial(Worker::new);
    int lo = Math.max(minTokens, shortest(workers.get(), maxTokens));
    return new Documents(IntStream.range(0, count).parallel()
        .mapToObj(i -> document(workers.get(), i, lo, maxTokens)).toArray(String[]::new), lo);
  }

  /** The shortest length the first few documents fit, plus slack for longer keys or names. */
  private int shortest(Worker w, int maxTokens) {
    int lo = 1, hi = maxTokens; // hi fits (else the error below), lo - 1 does not
    if (!fits(w, hi)) {
      throw new UserError("synth: a " + taskName + " prompt and its answer do not fit " + maxTokens
          + " tokens; raise --max-tokens");
    }
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (fits(w, mid)) hi = mid; else lo = mid + 1;
    }
    return Math.min(maxTokens, lo + SLACK);
  }

  private static final int SLACK = 8;

  private boolean fits(Worker w, int length) {
    for (int i = 0; i < 4; i++) {
      try {
        document(w, i, length, length);
      } catch (UserError e) {
        return false;
      }
    }
    return true;
  }

  private String document(Worker w, int i, int minTokens, int maxTokens) {
    SplittableRandom rng = new SplittableRandom(options.seed() * 0x9E3779B97F4A7C15L + i);
    int target = minTokens + rng.nextInt(maxTokens - minTokens + 1);
    double depth = rng.nextDouble() * 100;
    double goldFraction = rng.nextDouble();
    // The answer's tokens count toward the length: shrink the prompt's budget by the excess.
    int budget = target;
    for (int attempt = 0; attempt < 8 && budget > 0; attempt++) {
      TaskPrompt p = prompt(w, i, budget, depth, goldFraction);
      if (p == null) break;
      String completion = " " + p.expected();
      int excess = w.model.encode(p.text() + completion).length - target;
      if (excess <= 0) {
        ObjectNode doc = Json.object();
        doc.put("prompt", p.text());
        doc.put("completion", completion);
        return Json.compact(doc) + "\n";
      }
      budget = Math.min(budget, p.ids().length) - excess; // the prompt itself must shrink
    }
    throw new UserError("synth: a " + taskName + " prompt and its answer do not fit " + target
        + " tokens; raise --min-tokens");
  }

  /** The task's prompt fitting {@code budget} tokens, or null when none fits. */
  private TaskPrompt prompt(Worker w, int i, int budget, double depth, double goldFraction) {
    if (!w.task.lengthUnit().equals("keys")) {
      Double position = w.task.positionAxis() == io.cream.eval.PositionAxis.NONE ? null : depth;
      try {
        return w.task.prompt(new Cell(budget, position), i, w.model, options);
      } catch (UserError tooShort) {
        return null;
      }
    }
    // kv: a cell counts keys; take as many as fit the budget.
    int keys = LengthFitter.largestFitting(
        k -> k == 0 ? 0 : w.task.prompt(new Cell(k, 0.0), i, w.model, options).ids().length, budget, 4096, w.keysHint);
    if (keys < 1) return null;
    w.keysHint = keys;
    return w.task.prompt(new Cell(keys, (double) (int) (goldFraction * keys)), i, w.model, options);
  }
}
