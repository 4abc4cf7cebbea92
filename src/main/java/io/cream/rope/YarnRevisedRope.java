package io.cream.rope;

import java.util.OptionalDouble;

/**
 * YaRN as CREAM's and PoSE's training code compute it: the same ramp as {@link YarnRope}, but the
 * blend is of wavelengths, θ'_i = θ_i / ((1 − w_i)·f + w_i). It equals HF YaRN outside the ramp band
 * and is slightly lower inside it (a harmonic instead of an arithmetic blend). Attention factor
 * 0.1·ln f + 1 unless given.
 *
 * <p>Hugging Face has no such rope_type. {@link RopeSpec#writeHfConfig} stores it exactly as a
 * "longrope" whose short and long factors are both the per-pair divisors (1 − w_i)·f + w_i, with the
 * attention factor written out; see {@link HfRopeConfig}.
 */
public record YarnRevisedRope(
    int headDim,
    double base,
    double factor,
    int originalMaxPositionEmbeddings,
    double betaFast,
    double betaSlow,
    OptionalDouble attentionFactorOverride)
    implements RopeScaling {

  public YarnRevisedRope {
    RopeChecks.yarn(headDim, base, factor, originalMaxPositionEmbeddings, betaFast, betaSlow,
        attentionFactorOverride);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.YARN_REVISED;
  }

  public YarnRamp ramp() {
    return YarnRamp.of(headDim, base, originalMaxPositionEmbeddings, betaFast, betaSlow);
  }

  /** The per-pair divisors (1 − w_i)·f + w_i: 1 for untouched pairs, f for fully interpolated ones. */
  public double[] divisors() {
    YarnRamp ramp = ramp();
    double[] div = new double[headDim / 2];
    for (int i = 0; i < div.length; i++) {
      double w = ramp.extrapolationWeight(i);
      div[i] = (1 - w) * factor + w;
    }
    return div;
  }

  @Override
  public double[] invFreq(int seqLen) {
    double[] theta = RopeScaling.defaultInvFreq(headDim, base);
    double[] div = divisors();
    for (int i = 0; i < theta.length; i++) theta[i] /= div[i];
    return theta;
  }

  @Override
  public double attentionFactor(int seqLen) {
    return attentionFactorOverride.orElse(YarnRope.defaultAttentionFactor(factor));
  }
}
