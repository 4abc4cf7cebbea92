package io.cream.eval;

import java.util.Arrays;

/**
 * The three ways of scoring one token sequence ({@link PplProtocol}), each returning the summed
 * negative log-likelihood and the number of tokens it counts, so a cell's perplexity is
 * exp(Σ nll / Σ tokens) over its documents.
 */
public final class PerplexityScoring {
  /** Summed negative log-likelihood over a number of counted tokens. */
  public record Nll(double sum, int tokens) {}

  private PerplexityScoring() {}

  /** ids[1..n−1] given their prefixes, in one pass (the reference protocol). */
  public static Nll onePass(EvalModel model, int[] ids) {
    double[] lp = logProbs(model, ids);
    double sum = 0;
    for (double v : lp) sum -= v;
    return new Nll(sum, lp.length);
  }

  /**
   * The reference's long-document scoring: the sequence (without BOS) read through windows of
   * {@code window} tokens — {@code prefix} (the BOS) plus window − |prefix| sequence tokens —
   * starting every {@code stride} tokens until one reaches the end. Each window's mean NLL over all
   * its predicted tokens (context not masked) counts once per token it adds, so the counted tokens
   * total the sequence's length.
   */
  public static Nll slidingMean(EvalModel model, int[] prefix, int[] sequence, int window, int stride) {
    int span = window - prefix.length;
    if (span < 1) throw new IllegalArgumentException("window " + window + " holds no token after the BOS");
    double sum = 0;
    int count = 0;
    int previousEnd = 0;
    for (int begin = 0; begin < sequence.length; begin += stride) {
      int end = Math.min(begin + span, sequence.length);
      int[] input = new int[prefix.length + end - begin];
      System.arraycopy(prefix, 0, input, 0, prefix.length);
      System.arraycopy(sequence, begin, input, prefix.length, end - begin);
      double[] lp = logProbs(model, input);
      if (lp.length == 0) break; // a lone first token without BOS: nothing to predict it from
      double mean = 0;
      for (double v : lp) mean -= v;
      mean /= lp.length;
      sum += mean * (end - previousEnd);
      count += end - previousEnd;
      previousEnd = end;
      if (end == sequence.length) break;
    }
    return new Nll(sum, count);
  }

  /**
   * cream's earlier strided scoring: windows of {@code window} tokens start every {@code stride}
   * tokens and each of ids[1..n−1] is scored once, in the first window that reaches it (so after
   * the first window with at least window − stride tokens of context).
   */
  public static Nll strided(EvalModel model, int[] ids, int window, int stride) {
    double sum = 0;
    int count = 0;
    int scoredUpTo = 1; // tokens [1, scoredUpTo) are done; token 0 is never predicted
    for (int begin = 0; scoredUpTo < ids.length; begin += stride) {
      int end = Math.min(begin + window, ids.length);
      if (end <= scoredUpTo) continue;
      double[] lp = logProbs(model, Arrays.copyOfRange(ids, begin, end));
      for (int t = Math.max(scoredUpTo, begin + 1); t < end; t++) {
        sum -= lp[t - begin - 1];
        count++;
      }
      scoredUpTo = end;
    }
    return new Nll(sum, count);
  }

  private static double[] logProbs(EvalModel model, int[] ids) {
    double[] lp = model.tokenLogProbs(ids);
    if (lp.length != ids.length - 1) {
      throw new IllegalStateException("tokenLogProbs returned " + lp.length + " values for " + ids.length + " tokens");
    }
    return lp;
  }
}
