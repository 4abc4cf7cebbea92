package io.cream.rope;

/**
 * Llama 3.1's scaling, banded by wavelength λ_i = 2π/θ_i against the pre-trained window L:
 * λ_i > L/lowFreqFactor → θ_i/f (long waves, interpolated); λ_i < L/highFreqFactor → θ_i (short
 * waves, kept); in between a smooth blend with s = (L/λ_i − low)/(high − low):
 * θ'_i = (1 − s)·θ_i/f + s·θ_i. Attention factor 1. Llama 3.1 uses f 8, low 1, high 4, L 8192.
 */
public record Llama3Rope(
    int headDim,
    double base,
    double factor,
    int originalMaxPositionEmbeddings,
    double lowFreqFactor,
    double highFreqFactor)
    implements RopeScaling {

  public Llama3Rope {
    RopeChecks.headDimAndBase(headDim, base);
    RopeChecks.factor(factor);
    RopeChecks.window(originalMaxPositionEmbeddings);
    RopeChecks.positive("lowFreqFactor", lowFreqFactor);
    if (!(highFreqFactor > lowFreqFactor))
      throw new IllegalArgumentException("highFreqFactor must exceed lowFreqFactor, got " + highFreqFactor + " <= " + lowFreqFactor);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.LLAMA3;
  }

  @Override
  public double[] invFreq(int seqLen) {
    double[] inv = RopeScaling.defaultInvFreq(headDim, base);
    double longestKept = originalMaxPositionEmbeddings / highFreqFactor;
    double shortestInterpolated = originalMaxPositionEmbeddings / lowFreqFactor;
    for (int i = 0; i < inv.length; i++) {
      double wavelength = 2 * Math.PI / inv[i];
      if (wavelength > shortestInterpolated) {
        inv[i] /= factor;
      } else if (wavelength >= longestKept) {
        double s = (originalMaxPositionEmbeddings / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        inv[i] = (1 - s) * inv[i] / factor + s * inv[i];
      }
    }
    return inv;
  }

  @Override
  public double attentionFactor(int seqLen) {
    return 1.0;
  }
}
