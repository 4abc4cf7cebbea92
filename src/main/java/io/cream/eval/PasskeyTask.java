package io.cream.eval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Passkey retrieval in the form of PoSE's eval_passkey.py (which CREAM compares with): five parts
 * joined by newlines — intro, filler before the key, key sentence, filler after, question — the
 * filler string repeated without separators, empty filler parts kept as empty lines. cream puts the
 * key at a depth (PoSE: at a random one) and grows the filler one sentence at a time until the
 * prompt is as long as possible within the target length. Correct when the first integer of the
 * reply equals the key (1..50000).
 */
public final class PasskeyTask implements GenerativeTask {
  public static final String INTRO = "There is an important info hidden inside a lot of irrelevant text. "
      + "Find it and memorize them. I will quiz you about the important information there.";
  public static final String QUESTION = "What is the pass key? The pass key is";
  public static final int MAX_KEY = 50_000;

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
    return 10;
  }

  @Override
  public EvalOptions withDefaults(EvalOptions o) {
    return Grid.withDefaults(o, Grid.LENGTHS, Grid.DEPTHS);
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    return Grid.lengthsByDepths(withDefaults(o));
  }

  /** The key sentence for a key. */
  public static String keySentence(String key) {
    return "The pass key is " + key + ". Remember it. " + key + " is the pass key.";
  }

  /** A pass key uniform in 1..50000, as PoSE draws it; one draw of rng. */
  public static String randomKey(java.util.random.RandomGenerator rng) {
    return Integer.toString(1 + rng.nextInt(MAX_KEY));
  }

  /**
   * The prompt with fillerSentences filler sentences, round(depth·n) of them before the key. Each
   * side is the filler read from its start (PoSE's prefix and suffix are each whole repetitions).
   */
  public static String prompt(String key, int fillerSentences, double depthPercent) {
    Haystack filler = Haystack.filler();
    int before = Haystack.insertionPoint(fillerSentences, depthPercent);
    return String.join("\n", INTRO, filler.join(0, before), keySentence(key),
        filler.join(0, fillerSentences - before), QUESTION);
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
    // partial: how much of the key the reply's number begins with, so that a model which finds
    // the key but does not end the number ("608888" for 608) shows apart from one that misses it
    return new Score(Answers.firstIntegerIs(reply, prompt.expected()),
        Answers.leadingDigitsMatched(reply, prompt.expected()), null);
  }
}
