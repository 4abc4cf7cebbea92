package io.cream.rope;

/** Unscaled RoPE: θ_i = base^(−2i/d), attention factor 1. */
public record DefaultRope(int headDim, double base) implements RopeScaling {
  public DefaultRope {
    RopeChecks.headDimAndBase(headDim, base);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.DEFAULT;
  }

  @Override
  public double[] invFreq(int seqLen) {
    return RopeScaling.defaultInvFreq(headDim, base);
  }

  @Override
  public double attentionFactor(int seqLen) {
    return 1.0;
  }
}
