package io.cream.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.UserError;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Every exportable scaling, written as GGUF keys, gives cream's frequencies and magnitude under
 * llama.cpp's rules as read from its source (re-stated in {@link #llamaCppInvFreq} and
 * {@link #llamaCppMagnitude}); LlamaCppParityTest checks the same against the real program.
 */
class GgufRopeTest {
  static final int D = 128, L = 4096;

  static Stream<RopeSpec> specs() {
    return Stream.of(
        RopeSpec.defaults(D, 10000, L),
        RopeSpec.of(RopeType.LINEAR, D, 10000, 8, L),
        RopeSpec.of(RopeType.NTK, D, 10000, 8, L),
        RopeSpec.of(RopeType.YARN, D, 10000, 8, L),
        RopeSpec.of(RopeType.YARN, D, 10000, 8, L).withAttentionFactor(1.5),
        RopeSpec.of(RopeType.YARN, D, 10000, 16, L).withBetas(16, 2),
        RopeSpec.of(RopeType.YARN_REVISED, D, 10000, 8, L),
        RopeSpec.of(RopeType.YARN_REVISED, D, 500000, 4, 8192).withAttentionFactor(1.1),
        RopeSpec.of(RopeType.LLAMA3, D, 500000, 8, 8192),
        RopeSpec.of(RopeType.LONGROPE, D, 10000, 8, L).withLongRopeFactors(ramp(1.5), ramp(1.5)));
  }

  @ParameterizedTest
  @MethodSource("specs")
  void llamaCppRulesGiveCreamsAngles(RopeSpec spec) {
    RopeScaling cream = spec.build();
    GgufRope g = GgufRope.of(spec);
    double[] want = cream.invFreq(spec.maxPositionEmbeddings());
    double[] got = llamaCppInvFreq(g, D);
    for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], want[i] * 1e-6, spec.type() + " pair " + i);
    assertEquals(cream.attentionFactor(spec.maxPositionEmbeddings()), llamaCppMagnitude(g), 1e-6, spec.type() + " magnitude");
  }

  @Test
  void eachTypeUsesTheExpectedMechanism() {
    GgufRope yarn = GgufRope.of(RopeSpec.of(RopeType.YARN, D, 10000, 8, L));
    assertEquals(List.of("yarn", 8.0, L, 1.0), List.of(yarn.scalingType(), yarn.factor(), yarn.originalContext(), yarn.attnFactor()));
    assertNull(yarn.freqsTensor(), "llama.cpp's own yarn needs no rope_freqs");
    GgufRope revised = GgufRope.of(RopeSpec.of(RopeType.YARN_REVISED, D, 10000, 8, L));
    assertEquals("none", revised.scalingType());
    assertNotNull(revised.freqsTensor());
    assertEquals(1 + 0.1 * Math.log(8), revised.attnFactor(), 1e-12);
    GgufMetadata m = new GgufMetadata();
    revised.addTo(m, "llama");
    assertEquals(List.of("llama.rope.freq_base", "llama.rope.scaling.type", "llama.rope.scaling.attn_factor"), m.keys());
    GgufRope ntk = GgufRope.of(RopeSpec.of(RopeType.NTK, D, 10000, 8, L));
    assertEquals(10000 * Math.pow(8, 128.0 / 126), ntk.freqBase(), 1e-6);
  }

  @Test
  void lengthDependentScalingsAreRefused() {
    UserError dynamic = assertThrows(UserError.class, () -> GgufRope.of(RopeSpec.of(RopeType.DYNAMIC, D, 10000, 8, L)));
    assertTrue(dynamic.getMessage().contains("'dynamic'") && !dynamic.getMessage().contains("\n"), dynamic.getMessage());
    UserError longrope = assertThrows(UserError.class,
        () -> GgufRope.of(RopeSpec.of(RopeType.LONGROPE, D, 10000, 8, L).withLongRopeFactors(ramp(1), ramp(2))));
    assertTrue(longrope.getMessage().contains("short and long factors"), longrope.getMessage());
  }

  /**
   * llama.cpp's per-pair frequency: θ_i = freq_base^(−2i/d) divided by rope_freqs[i], times the
   * frequency scale (1/factor for linear and yarn, 1 for none); for yarn blended back toward θ_i
   * by the ramp between the correction dims for β_fast 32 and β_slow 1 (ggml's rope_yarn).
   */
  static double[] llamaCppInvFreq(GgufRope g, int d) {
    double scale = g.scalingType().equals("none") || g.factor() == 0 ? 1 : 1 / g.factor();
    float[] ff = g.freqFactors();
    double base = (float) g.freqBase();
    double low = Math.max(0, Math.floor(corrDim(32, d, g.originalContext(), base)));
    double high = Math.min(d - 1, Math.ceil(corrDim(1, d, g.originalContext(), base)));
    double[] out = new double[d / 2];
    for (int i = 0; i < out.length; i++) {
      double extrap = Math.pow(base, -2.0 * i / d) / (ff == null ? 1 : ff[i]);
      double interp = scale * extrap;
      if (g.scalingType().equals("yarn")) {
        double mix = 1 - Math.clamp((i - low) / Math.max(0.001, high - low), 0, 1);
        out[i] = interp * (1 - mix) + extrap * mix;
      } else {
        out[i] = interp;
      }
    }
    return out;
  }

  /**
   * The factor on cos and sin: rope.scaling.attn_factor; for yarn llama_context first sets
   * get_mscale(f)·(1 / (1 + 0.1·ln f)) = 1 and ggml then multiplies by 1 + 0.1·ln f.
   */
  static double llamaCppMagnitude(GgufRope g) {
    double m = (float) g.attnFactor();
    if (g.scalingType().equals("yarn")) m *= 1 + 0.1 * Math.log(g.factor());
    return m;
  }

  private static double corrDim(double rotations, int d, int window, double base) {
    return d * Math.log(window / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
  }

  private static double[] ramp(double top) {
    double[] f = new double[D / 2];
    for (int i = 0; i < f.length; i++) f[i] = 1 + (top - 1) * i / (f.length - 1.0);
    return f;
  }
}
