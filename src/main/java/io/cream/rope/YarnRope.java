package io.cream.rope;

import java.util.OptionalDouble;

/**
 * YaRN as Hugging Face computes it: inv_freq_i = (θ_i/f)·(1 − w_i) + θ_i·w_i, a blend of
 * frequencies with the weights of {@link YarnRamp}; attention factor 0.1·ln f + 1 unless given.
 *
 * @param originalMaxPositionEmbeddings the pre-trained window L the ramp is measured against
 * @param attentionFactorOverride an explicit attention factor, or empty for 0.1·ln f + 1
 */
public record YarnRope(
    int headDim,
    double base,
    double factor,
    int originalMaxPositionEmbeddings,
    double betaFast,
    double betaSlow,
    OptionalDouble attentionFactorOverride)
    implements RopeScaling {

  public YarnRope {
    RopeChecks.yarn(headDim, base, factor, originalMaxPositionEmbeddings, betaFast, betaSlow,
        attentionFactorOverride);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.YARN;
  }

  public YarnRamp ramp() {
    return YarnRamp.of(headDim, base, originalMaxPositionEmbeddings, betaFast, betaSlow);
  }

  @Override
  public double[] invFreq(int seqLen) {
    double[] theta = RopeScaling.defaultInvFreq(headDim, base);
    YarnRamp ramp = ramp();
    for (int i = 0; i < theta.length; i++) {
      double w = ramp.extrapolationWeight(i);
      theta[i] = theta[i] / factor * (1 - w) + theta[i] * w;
    }
    return theta;
  }

  @Override
  public double attentionFactor(int seqLen) {
    return attentionFactorOverride.orElse(defaultAttentionFactor(factor));
  }

  /** YaRN's recommended magnitude correction, 0.1·ln f + 1 (1 when f ≤ 1). */
  public static double defaultAttentionFactor(double factor) {
    return factor <= 1 ? 1.0 : 0.1 * Math.log(factor) + 1.0;
  }
}
