package io.cream.rope;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * LongRoPE: inv_freq_i = θ_i / ext_i, with ext = longFactor when the sequence length exceeds the
 * pre-trained window L, else shortFactor. Attention factor √(1 + ln f / ln L) unless given (1 when
 * f ≤ 1).
 */
public record LongRope(
    int headDim,
    double base,
    double factor,
    int originalMaxPositionEmbeddings,
    double[] shortFactor,
    double[] longFactor,
    OptionalDouble attentionFactorOverride)
    implements RopeScaling {

  public LongRope {
    RopeChecks.headDimAndBase(headDim, base);
    RopeChecks.factor(factor);
    RopeChecks.window(originalMaxPositionEmbeddings);
    shortFactor = checkedCopy("shortFactor", shortFactor, headDim);
    longFactor = checkedCopy("longFactor", longFactor, headDim);
    attentionFactorOverride.ifPresent(a -> RopeChecks.positive("attentionFactor", a));
  }

  @Override
  public RopeType ropeType() {
    return RopeType.LONGROPE;
  }

  @Override
  public double[] shortFactor() {
    return shortFactor.clone();
  }

  @Override
  public double[] longFactor() {
    return longFactor.clone();
  }

  /** Whether a sequence of this length uses the long factors. */
  public boolean usesLongFactors(int seqLen) {
    return seqLen > originalMaxPositionEmbeddings;
  }

  @Override
  public double[] invFreq(int seqLen) {
    double[] inv = RopeScaling.defaultInvFreq(headDim, base);
    double[] ext = usesLongFactors(seqLen) ? longFactor : shortFactor;
    for (int i = 0; i < inv.length; i++) inv[i] /= ext[i];
    return inv;
  }

  @Override
  public double attentionFactor(int seqLen) {
    return attentionFactorOverride.orElse(defaultAttentionFactor(factor, originalMaxPositionEmbeddings));
  }

  /** LongRoPE's magnitude correction √(1 + ln f / ln L) (1 when f ≤ 1). */
  public static double defaultAttentionFactor(double factor, int originalMaxPositionEmbeddings) {
    return factor <= 1 ? 1.0 : Math.sqrt(1 + Math.log(factor) / Math.log(originalMaxPositionEmbeddings));
  }

  private static double[] checkedCopy(String name, double[] values, int headDim) {
    if (values == null || values.length != headDim / 2)
      throw new IllegalArgumentException(name + " needs headDim/2 = " + headDim / 2 + " values, got "
          + (values == null ? "none" : values.length));
    for (double v : values) RopeChecks.positive(name + " entries", v);
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LongRope r
        && headDim == r.headDim
        && Double.compare(base, r.base) == 0
        && Double.compare(factor, r.factor) == 0
        && originalMaxPositionEmbeddings == r.originalMaxPositionEmbeddings
        && Arrays.equals(shortFactor, r.shortFactor)
        && Arrays.equals(longFactor, r.longFactor)
        && attentionFactorOverride.equals(r.attentionFactorOverride);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shortFactor) + Arrays.hashCode(longFactor) + Double.hashCode(base) + headDim;
  }

  @Override
  public String toString() {
    return "LongRope[headDim=" + headDim + ", base=" + base + ", factor=" + factor + ", originalMaxPositionEmbeddings="
        + originalMaxPositionEmbeddings + ", shortFactor=" + Arrays.toString(shortFactor) + ", longFactor="
        + Arrays.toString(longFactor) + ", attentionFactorOverride=" + attentionFactorOverride + "]";
  }
}
