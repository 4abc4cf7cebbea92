package io.cream.rope;

/**
 * Static NTK-aware scaling (what CREAM's code calls "ntk"): one enlarged base b' = b·f^(d/(d−2)),
 * whatever the sequence length. For f = 8, d = 128, b = 10000: b' ≈ 82,684.6. Attention factor 1.
 * Hugging Face has no such rope_type; a checkpoint stores it as plain RoPE with rope_theta = b'.
 */
public record StaticNtkRope(int headDim, double base, double factor) implements RopeScaling {
  public StaticNtkRope {
    RopeChecks.headDimAndBase(headDim, base);
    RopeChecks.factor(factor);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.NTK;
  }

  /** The enlarged base b·f^(d/(d−2)). */
  public double scaledBase() {
    return base * Math.pow(factor, (double) headDim / (headDim - 2));
  }

  @Override
  public double[] invFreq(int seqLen) {
    return RopeScaling.defaultInvFreq(headDim, scaledBase());
  }

  @Override
  public double attentionFactor(int seqLen) {
    return 1.0;
  }
}
