package io.cream.eval;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Needle in a haystack: one sentence hidden at a depth of long text, then a question. The prompt is
 * haystack-with-needle, a blank line, the question and " Answer:" (a base-model completion format;
 * the paper's chat template is not reproducible for base models). The needle goes between haystack
 * sentences, followed by a space. Correct when the reply contains the key phrase (case and
 * whitespace ignored); partial credit is the fraction of the key words present.
 */
public final class NeedleTask implements GenerativeTask {
  public static final String NEEDLE =
      "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.";
  public static final String QUESTION = "What is the best thing to do in San Francisco?";
  public static final String KEY_PHRASE = "eat a sandwich and sit in Dolores Park";
  /** The key phrase's content words (its "a", "and", "in" would match almost any reply). */
  public static final List<String> KEY_WORDS = List.of("eat", "sandwich", "sit", "dolores", "park");

  /** Characters of haystack to read per token of the longest prompt (English is ~4-5). */
  private static final int CHARS_PER_TOKEN_BUDGET = 12;

  private Haystack haystack;
  private final Map<Integer, Integer> hints = new HashMap<>();

  @Override
  public String name() {
    return "needle";
  }

  @Override
  public PositionAxis positionAxis() {
    return PositionAxis.DEPTH_PERCENT;
  }

  @Override
  public int defaultMaxNewTokens() {
    return 48;
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    return Grid.lengthsByDepths(o);
  }

  /** The haystack of a run: the folder's text, or the passkey filler. */
  static Haystack haystack(EvalOptions o) {
    if (o.haystackDir() == null) return Haystack.filler();
    int longest = o.lengths().isEmpty() ? 0 : Collections.max(o.lengths());
    return Haystack.fromFolder(o.haystackDir(), (int) Math.min(Integer.MAX_VALUE - 16, (long) longest * CHARS_PER_TOKEN_BUDGET + 10_000));
  }

  /** The prompt with the first units haystack units and the needle after round(depth·units). */
  public static String prompt(Haystack haystack, int units, double depthPercent) {
    int at = Haystack.insertionPoint(units, depthPercent);
    String before = at == 0 ? "" : haystack.join(0, at) + " ";
    String after = haystack.join(at, units);
    String context = (before + NEEDLE + (after.isEmpty() ? "" : " " + after));
    return context + "\n\n" + QUESTION + " Answer:";
  }

  @Override
  public TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions o) {
    if (haystack == null) haystack = haystack(o);
    double depth = cell.position();
    // Samples of a cell differ by where in the haystack text they start (a seeded offset), so they
    // are not all the same prompt; with the default filler every offset reads alike.
    int offset = sample == 0 ? 0 : CaseRandom.of(o.seed(), name(), cell.length(), sample).nextInt(haystack.size());
    Haystack shifted = haystack.from(offset);
    int n = LengthFitter.largestFitting(
        k -> model.encode(prompt(shifted, k, depth)).length, cell.length(), cell.length(), hints.getOrDefault(cell.length(), -1));
    Grid.requireFits(n, cell.length(), name(), model.encode(prompt(shifted, 0, depth)).length);
    hints.put(cell.length(), n);
    String text = prompt(shifted, n, depth);
    return new TaskPrompt(text, model.encode(text), KEY_PHRASE, n, null, null);
  }

  @Override
  public Score score(String reply, TaskPrompt prompt) {
    return new Score(Answers.containsPhrase(reply, KEY_PHRASE), Answers.fractionOfWords(reply, KEY_WORDS));
  }
}
