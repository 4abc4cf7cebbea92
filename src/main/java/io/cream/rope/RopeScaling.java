package io.cream.rope;

/**
 * How a RoPE variant turns positions into angles: per-pair inverse frequencies (angle = position ·
 * inv_freq_i) and an attention factor that multiplies both cos and sin (so attention logits scale
 * by its square). Build one from a {@link RopeSpec}.
 *
 * <p>{@code seqLen} is the length the model is running at, in the Hugging Face sense: the largest
 * position id + 1 (not the number of tokens; CREAM trains with N tokens whose ids reach f·N). Only
 * {@link DynamicNtkRope} and {@link LongRope} look at it; every other variant ignores it.
 */
public sealed interface RopeScaling
    permits DefaultRope,
        LinearRope,
        DynamicNtkRope,
        StaticNtkRope,
        YarnRope,
        YarnRevisedRope,
        Llama3Rope,
        LongRope {

  /** The variant's name: default, linear, dynamic, ntk, yarn, yarn-revised, llama3 or longrope. */
  default String type() {
    return ropeType().id();
  }

  /** The variant as an enum. */
  RopeType ropeType();

  /** Inverse frequencies, length headDim/2, in float64. A fresh array on every call. */
  double[] invFreq(int seqLen);

  /** The factor that multiplies cos and sin (1 for most variants). */
  double attentionFactor(int seqLen);

  /** Rotated dimensions per head (even). */
  int headDim();

  /** The pre-trained rope_theta the variant starts from (for ntk: before enlarging it). */
  double base();

  /** Plain RoPE frequencies θ_i = base^(−2i/d), i = 0 … d/2−1, in float64. */
  static double[] defaultInvFreq(int headDim, double base) {
    double[] theta = new double[headDim / 2];
    for (int i = 0; i < theta.length; i++) theta[i] = Math.pow(base, -2.0 * i / headDim);
    return theta;
  }
}
