package io.cream.rope;

/** Position Interpolation: θ_i / f, so position p sees the angle of p/f. Attention factor 1. */
public record LinearRope(int headDim, double base, double factor) implements RopeScaling {
  public LinearRope {
    RopeChecks.headDimAndBase(headDim, base);
    RopeChecks.factor(factor);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.LINEAR;
  }

  @Override
  public double[] invFreq(int seqLen) {
    double[] inv = RopeScaling.defaultInvFreq(headDim, base);
    for (int i = 0; i < inv.length; i++) inv[i] /= factor;
    return inv;
  }

  @Override
  public double attentionFactor(int seqLen) {
    return 1.0;
  }
}
