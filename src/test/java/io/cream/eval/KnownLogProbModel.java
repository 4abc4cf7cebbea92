package io.cream.eval;

/**
 * A model with log-probabilities from a closed formula of (token, previous token, context length),
 * so perplexity can be checked against an independent float64 computation, including how much
 * context a sliding window gives each token.
 */
final class KnownLogProbModel extends WordModel {
  KnownLogProbModel(int contextLimit) {
    this("known-logprobs", contextLimit);
  }

  KnownLogProbModel(String name, int contextLimit) {
    super(name, contextLimit);
  }

  /** log p(token | previous, with `context` tokens before it in the scored sequence). */
  static double logProb(int token, int previous, int context) {
    return -(0.2 + ((token * 7L + previous * 3L) % 11) / 5.0) - 0.5 / (1 + context);
  }

  @Override
  public double[] tokenLogProbs(int[] ids) {
    if (ids.length > contextLimit()) throw new IllegalArgumentException(ids.length + " tokens exceed the limit " + contextLimit());
    double[] out = new double[ids.length - 1];
    for (int i = 1; i < ids.length; i++) out[i - 1] = logProb(ids[i], ids[i - 1], i);
    return out;
  }

  @Override
  String reply(String promptWords) {
    return "";
  }
}
