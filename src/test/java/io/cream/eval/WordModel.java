package io.cream.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A toy EvalModel for tests: tokens are whitespace-separated words (BOS first), so token counts
 * are easy to reason about. Subclasses decide what it replies and its log-probabilities.
 */
abstract class WordModel implements EvalModel {
  static final int BOS = 1;
  static final int EOS = 2;
  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> words = new ArrayList<>(List.of("<pad>", "<s>", "</s>"));
  private final String name;
  private final int contextLimit;

  WordModel(String name, int contextLimit) {
    this.name = name;
    this.contextLimit = contextLimit;
  }

  /** The reply to a prompt, given the prompt as the model "sees" it (decoded words). */
  abstract String reply(String promptWords);

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized int[] encode(String text) {
    String[] parts = text.strip().isEmpty() ? new String[0] : text.strip().split("\\s+");
    int[] out = new int[parts.length + 1];
    out[0] = BOS;
    for (int i = 0; i < parts.length; i++) out[i + 1] = id(parts[i]);
    return out;
  }

  private int id(String word) {
    return ids.computeIfAbsent(word, w -> {
      words.add(w);
      return words.size() - 1;
    });
  }

  @Override
  public synchronized String decode(int[] tokens) {
    List<String> out = new ArrayList<>();
    for (int t : tokens) if (t != BOS && t != EOS) out.add(words.get(t));
    return String.join(" ", out);
  }

  @Override
  public int[] generateGreedy(int[] prompt, int maxNewTokens) {
    int[] reply = encode(reply(decode(prompt)));
    int n = Math.min(maxNewTokens, reply.length - 1);
    int[] out = new int[n];
    System.arraycopy(reply, 1, out, 0, n); // drop BOS
    return out;
  }

  /** These models never produce EOS, so any minimum number of new tokens holds by itself. */
  @Override
  public int[] generateGreedy(int[] prompt, int minNewTokens, int maxNewTokens) {
    return generateGreedy(prompt, maxNewTokens);
  }

  @Override
  public double[] tokenLogProbs(int[] tokens) {
    throw new UnsupportedOperationException("this test model does not score");
  }

  @Override
  public int contextLimit() {
    return contextLimit;
  }

  @Override
  public void close() {}
}
