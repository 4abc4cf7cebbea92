package io.cream.rope;

/**
 * Invariants the variant records enforce. Breaking one is a programming error (the user-facing
 * checks, with flag or config-key names, live in {@link RopeSpec#validate}).
 */
final class RopeChecks {
  private RopeChecks() {}

  static void headDimAndBase(int headDim, double base) {
    if (headDim < 4 || headDim % 2 != 0)
      throw new IllegalArgumentException("headDim must be an even number >= 4, got " + headDim);
    if (!(base > 1) || Double.isInfinite(base))
      throw new IllegalArgumentException("base must be a finite number > 1, got " + base);
  }

  static void factor(double factor) {
    if (!(factor >= 1) || Double.isInfinite(factor))
      throw new IllegalArgumentException("factor must be a finite number >= 1, got " + factor);
  }

  static void window(int positions) {
    if (positions < 2) throw new IllegalArgumentException("a context window must be >= 2, got " + positions);
  }

  static void positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value))
      throw new IllegalArgumentException(name + " must be a finite number > 0, got " + value);
  }

  /** The parameters both YaRN variants share. */
  static void yarn(int headDim, double base, double factor, int originalMaxPositionEmbeddings,
      double betaFast, double betaSlow, java.util.OptionalDouble attentionFactorOverride) {
    headDimAndBase(headDim, base);
    factor(factor);
    window(originalMaxPositionEmbeddings);
    positive("betaFast", betaFast);
    positive("betaSlow", betaSlow);
    attentionFactorOverride.ifPresent(a -> positive("attentionFactor", a));
  }
}
