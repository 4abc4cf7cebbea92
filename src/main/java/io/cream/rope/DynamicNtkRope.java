package io.cream.rope;

/**
 * Hugging Face's "dynamic" NTK scaling. Up to the pre-trained window L it is plain RoPE; for a
 * sequence length ℓ > L the base becomes b' = b·((f·ℓ/L) − (f − 1))^(d/(d−2)), recomputed as the
 * sequence grows and back to b when it shrinks to L or less. Attention factor 1.
 *
 * @param originalMaxPositionEmbeddings L, the pre-trained window (HF reads it from
 *     max_position_embeddings for this type)
 */
public record DynamicNtkRope(int headDim, double base, double factor, int originalMaxPositionEmbeddings)
    implements RopeScaling {
  public DynamicNtkRope {
    RopeChecks.headDimAndBase(headDim, base);
    RopeChecks.factor(factor);
    RopeChecks.window(originalMaxPositionEmbeddings);
  }

  @Override
  public RopeType ropeType() {
    return RopeType.DYNAMIC;
  }

  /** The base used at sequence length ℓ. */
  public double baseAt(int seqLen) {
    if (seqLen <= originalMaxPositionEmbeddings) return base;
    double growth = factor * seqLen / originalMaxPositionEmbeddings - (factor - 1);
    return base * Math.pow(growth, (double) headDim / (headDim - 2));
  }

  @Override
  public double[] invFreq(int seqLen) {
    return RopeScaling.defaultInvFreq(headDim, baseAt(seqLen));
  }

  @Override
  public double attentionFactor(int seqLen) {
    return 1.0;
  }
}
