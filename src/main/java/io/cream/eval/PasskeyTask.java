package io.cream.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Passkey retrieval: a 5-digit key hidden at a depth of repetitive filler. Parts are joined by
 * newlines: intro, filler before the key, key sentence, filler after, question (empty filler parts
 * are left out). The filler grows one sentence at a time until the prompt is as long as possible
 * within the target length. Correct when the first number of the reply is the key.
 */
public final class PasskeyTask implements GenerativeTask {
  public static final String INTRO = "There is an important info hidden inside a lot of irrelevant text. "
      + "Find it and memorize it. I will quiz you about the important information there.";
  public static final String QUESTION = "What is the pass key? The pass key is";

  private final Haystack filler = Haystack.filler();
  /** Filler sentences last found for each length: the next search starts there. */
  private final Map<Integer, Integer> hints = new HashMap<>();

  @Override
  public String name() {
    return "passkey";
  }

  @Override
  public PositionAxis positionAxis() {
    return PositionAxis.DEPTH_PERCENT;
  }

  @Override
  public int defaultMaxNewTokens() {
    return 16;
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    return Grid.lengthsByDepths(o);
  }

  /** The key sentence for a key. */
  public static String keySentence(String key) {
    return "The pass key is " + key + ". Remember it. " + key + " is the pass key.";
  }

  /** A 5-digit pass key without a leading zero (10000–99999), one draw of rng. */
  public static String randomKey(java.util.random.RandomGenerator rng) {
    return Integer.toString(10000 + rng.nextInt(90000));
  }

  /** The prompt with fillerSentences filler sentences and the key after round(depth·n) of them. */
  public static String prompt(String key, int fillerSentences, double depthPercent) {
    Haystack filler = Haystack.filler();
    int at = Haystack.insertionPoint(fillerSentences, depthPercent);
    List<String> parts = new ArrayList<>();
    parts.add(INTRO);
    parts.add(filler.join(0, at));
    parts.add(keySentence(key));
    parts.add(filler.join(at, fillerSentences));
    parts.add(QUESTION);
    return String.join("\n", parts.stream().filter(p -> !p.isEmpty()).toList());
  }

  @Override
  public TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions o) {
    // The key depends on (length, sample) only, so depths of one sample hide the same key.
    SplittableRandom rng = CaseRandom.of(o.seed(), name(), cell.length(), sample);
    String key = randomKey(rng);
    double depth = cell.position();
    int n = LengthFitter.largestFitting(
        k -> model.encode(prompt(key, k, depth)).length, cell.length(), cell.length(), hints.getOrDefault(cell.length(), -1));
    Grid.requireFits(n, cell.length(), name(), model.encode(prompt(key, 0, depth)).length);
    hints.put(cell.length(), n);
    String text = prompt(key, n, depth);
    return new TaskPrompt(text, model.encode(text), key, n, null, null);
  }

  @Override
  public Score score(String reply, TaskPrompt prompt) {
    return Score.of(Answers.firstIntegerIs(reply, prompt.expected()));
  }
}
