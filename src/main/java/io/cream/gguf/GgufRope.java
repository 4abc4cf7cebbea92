package io.cream.gguf;

import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.StaticNtkRope;
import io.cream.rope.YarnRope;
import io.cream.util.UserError;
import java.util.Arrays;

/**
 * A cream RoPE scaling as the GGUF keys (and optional rope_freqs tensor) that make llama.cpp
 * compute the same angles and the same cos/sin magnitude. llama.cpp's Llama graph forms, per pair
 * i and position p, the angle p·s·θ_i/ff_i with θ_i = freq_base^(−2i/d), s = 1/factor for linear
 * (and the interpolated side of yarn), ff_i from the rope_freqs tensor (1 without it), and it
 * multiplies cos and sin by rope.scaling.attn_factor (for yarn, also by 1 + 0.1·ln factor). So:
 * <ul>
 *   <li>none: plain; linear: type linear and the factor; ntk: plain with the enlarged freq_base.
 *   <li>yarn with the usual β_fast 32 / β_slow 1: llama.cpp's own yarn (type, factor, original
 *       context), whose ramp and 1 + 0.1·ln f magnitude are Hugging Face's; an explicit attention
 *       factor a becomes attn_factor a / (1 + 0.1·ln f).
 *   <li>yarn-revised, llama3, longrope with equal short and long factors, and yarn with other
 *       betas (llama.cpp's Llama graph ignores the beta keys): plain RoPE with rope_freqs
 *       ff_i = θ_i / θ'_i, cream's own frequencies exactly, and attn_factor = cream's attention
 *       factor.
 *   <li>dynamic, and longrope with different short and long factors, change with the sequence
 *       length, which a GGUF file cannot say: refused.
 * </ul>
 *
 * @param freqBase rope.freq_base
 * @param scalingType rope.scaling.type: none, linear or yarn
 * @param factor rope.scaling.factor, or 0 when not written
 * @param originalContext rope.scaling.original_context_length, or 0 when not written
 * @param attnFactor rope.scaling.attn_factor (1: not written)
 * @param freqFactors the rope_freqs tensor (head_dim/2 divisors), or null
 */
public record GgufRope(double freqBase, String scalingType, double factor, int originalContext, double attnFactor,
    float[] freqFactors) {

  /** The tensor llama.cpp divides the frequencies by. */
  public static final String FREQS_TENSOR = "rope_freqs.weight";

  public GgufRope {
    freqFactors = freqFactors == null ? null : freqFactors.clone();
  }

  /** The GGUF form of {@code spec}; a UserError for a scaling GGUF cannot express. */
  public static GgufRope of(RopeSpec spec) {
    RopeScaling scaling = spec.build();
    double f = spec.factor();
    int original = spec.originalMaxPositionEmbeddings();
    return switch (spec.type()) {
      case DEFAULT -> new GgufRope(spec.base(), "none", 0, 0, 1, null);
      case LINEAR -> new GgufRope(spec.base(), "linear", f, original, 1, null);
      case NTK -> new GgufRope(((StaticNtkRope) scaling).scaledBase(), "none", 0, 0, 1, null);
      case YARN -> {
        if (spec.betaFast() != RopeSpec.DEFAULT_BETA_FAST || spec.betaSlow() != RopeSpec.DEFAULT_BETA_SLOW) {
          yield withFreqFactors(spec, scaling);
        }
        double attention = scaling.attentionFactor(spec.maxPositionEmbeddings());
        yield new GgufRope(spec.base(), "yarn", f, original, attention / YarnRope.defaultAttentionFactor(f), null);
      }
      case YARN_REVISED, LLAMA3 -> withFreqFactors(spec, scaling);
      case LONGROPE -> {
        UserError.require(Arrays.equals(spec.shortFactor(), spec.longFactor()),
            "export gguf: this longrope scaling has different short and long factors; cream switches between them by"
                + " each sequence's length, llama.cpp by its context size, so their numbers would differ; not supported");
        yield withFreqFactors(spec, scaling);
      }
      case DYNAMIC -> throw new UserError("export gguf: rope type 'dynamic' grows its base with each sequence's"
          + " length, which a GGUF file cannot express (llama.cpp's RoPE is fixed per model); write a fixed scaling"
          + " (linear, yarn, ...) into config.json's rope_scaling before exporting");
    };
  }

  /** Plain RoPE at the original base, divided per pair down to cream's frequencies. */
  private static GgufRope withFreqFactors(RopeSpec spec, RopeScaling scaling) {
    double[] plain = RopeScaling.defaultInvFreq(spec.headDim(), spec.base());
    double[] scaled = scaling.invFreq(spec.maxPositionEmbeddings());
    float[] ff = new float[plain.length];
    for (int i = 0; i < ff.length; i++) ff[i] = (float) (plain[i] / scaled[i]);
    return new GgufRope(spec.base(), "none", 0, 0, scaling.attentionFactor(spec.maxPositionEmbeddings()), ff);
  }

  @Override
  public float[] freqFactors() {
    return freqFactors == null ? null : freqFactors.clone();
  }

  /** A few words for the export report, e.g. "yarn ×8" or "rope_freqs, attn_factor 1.2079". */
  public String describe() {
    String s = freqFactors != null ? "rope_freqs" : factor != 0 ? scalingType + " ×" + factor : scalingType;
    return attnFactor != 1 ? s + ", attn_factor " + (float) attnFactor : s;
  }

  /** Writes the keys under {@code arch.} (e.g. "llama."). */
  public void addTo(GgufMetadata m, String arch) {
    m.putFloat32(arch + ".rope.freq_base", freqBase);
    m.putString(arch + ".rope.scaling.type", scalingType);
    if (factor != 0) m.putFloat32(arch + ".rope.scaling.factor", factor);
    if (originalContext != 0) m.putUint32(arch + ".rope.scaling.original_context_length", originalContext);
    if (attnFactor != 1) m.putFloat32(arch + ".rope.scaling.attn_factor", attnFactor);
  }

  /** The rope_freqs tensor, or null when the frequencies need no divisors. */
  public GgufTensor freqsTensor() {
    return freqFactors == null ? null : new GgufTensor(FREQS_TENSOR, new long[] {freqFactors.length}, GgmlType.F32, freqFactors());
  }
}
