package io.cream.rope;

/**
 * YaRN's ramp over frequency pairs. A pair that turns fewer than β_slow times over the pre-trained
 * window L is interpolated fully, one that turns more than β_fast times is left alone, and pairs in
 * between blend linearly by index. The pair index that turns ρ times over L is
 * dim(ρ) = d·ln(L/(2πρ)) / (2·ln b); low = max(⌊dim(β_fast)⌋, 0), high = min(⌈dim(β_slow)⌉, d−1)
 * (Llama-2, L = 4096: low 20, high 46).
 */
public record YarnRamp(int low, int high) {

  /** The ramp for these parameters, rounded outward to whole pair indices as HF and YaRN do. */
  public static YarnRamp of(int headDim, double base, int originalMaxPositionEmbeddings, double betaFast, double betaSlow) {
    int low = (int) Math.floor(correctionDim(betaFast, headDim, base, originalMaxPositionEmbeddings));
    int high = (int) Math.ceil(correctionDim(betaSlow, headDim, base, originalMaxPositionEmbeddings));
    return new YarnRamp(Math.max(low, 0), Math.min(high, headDim - 1));
  }

  /** The (fractional) pair index whose frequency completes {@code rotations} turns over the window. */
  public static double correctionDim(double rotations, int headDim, double base, int window) {
    return headDim * Math.log(window / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
  }

  /** ramp_i = clamp((i − low)/(high − low), 0, 1): 0 keeps θ_i, 1 interpolates fully. */
  public double ramp(int i) {
    double span = high == low ? 0.001 : high - low; // guard the singular case as HF does
    return Math.clamp((i - low) / span, 0.0, 1.0);
  }

  /** w_i = 1 − ramp_i, the weight of the unscaled (extrapolated) frequency. */
  public double extrapolationWeight(int i) {
    return 1.0 - ramp(i);
  }

  /** Whether pair i lies strictly inside the blend band (0 < ramp_i < 1). */
  public boolean inBand(int i) {
    double r = ramp(i);
    return r > 0 && r < 1;
  }
}
