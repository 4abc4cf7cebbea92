package io.cream.positions;

import io.cream.util.UserError;

/** The configuration checks every sampler shares; each failure names the flag and the fix. */
final class SamplerChecks {
  private SamplerChecks() {}

  /**
   * Validates N and f for a method (N ≥ 3, f ≥ {@link PositionMethod#minFactor}) and returns
   * S = f·N, which must fit an int (position ids are ints).
   */
  static int targetSpan(PositionMethod method, int window, int factor) {
    UserError.require(window >= 3,
        "--window must be at least 3 tokens (got " + window + "): pass the model's pre-trained"
            + " context length, e.g. --window 4096");
    UserError.require(factor >= method.minFactor(),
        "--factor must be at least " + method.minFactor() + " for " + method.cliName() + " (got " + factor
            + "): " + (method.minFactor() > 1 ? "its positions are drawn from a target window of factor × window,"
            + " which must be longer than the window, " : "") + "e.g. --factor 8");
    long span = (long) factor * window;
    UserError.require(span <= Integer.MAX_VALUE,
        "--factor × --window = " + span + " exceeds the largest position id " + Integer.MAX_VALUE
            + ": use a smaller --factor or --window");
    return (int) span;
  }

  static void requireSigma(double sigma) {
    UserError.require(sigma > 0 && Double.isFinite(sigma),
        "--sigma must be a positive finite number (got " + sigma + "): e.g. --sigma 3.0");
  }

  /** The continuity branch keeps 4f head and 4f tail tokens: its middle is N − 8f, which must be > 0. */
  static void requireContinuityFits(int window, int factor) {
    long kept = 8L * factor;
    UserError.require(kept < window,
        "CREAM's continuity branch keeps 4·factor head and 4·factor tail tokens, so it needs"
            + " 8·factor < window (got 8·" + factor + " = " + kept + " ≥ --window " + window
            + ", a negative or empty middle): use a larger --window or a --factor below "
            + ceilDiv(window, 8));
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** selectTokens' preconditions: the sample is this sampler's kind and size, the document long enough. */
  static void requireTokenInput(PositionSampler sampler, PositionSample sample, int documentLength) {
    if (sample.method() != sampler.method() || sample.length() != sampler.window()) {
      throw new IllegalArgumentException("sample (" + sample.method().cliName() + ", " + sample.length()
          + " ids) was not made by this sampler (" + sampler.method().cliName() + ", window "
          + sampler.window() + ")");
    }
    if (documentLength < sampler.minDocumentLength()) {
      throw new IllegalArgumentException("document of " + documentLength + " tokens is too short for "
          + sampler.method().cliName() + " with window " + sampler.window() + ": it needs at least "
          + sampler.minDocumentLength() + " tokens (skip shorter documents)");
    }
  }

  /** selectTokensToEnd's extra precondition: the sampler reads a prompt/completion document of this length to its end. */
  static void requireReadableToEnd(PositionSampler sampler, int documentLength) {
    if (documentLength > sampler.longestCompletionDocument()) {
      throw new IllegalArgumentException("a prompt/completion document of " + documentLength + " tokens is longer than "
          + sampler.method().cliName() + " reads to its end (" + sampler.longestCompletionDocument() + " tokens)");
    }
  }
}
