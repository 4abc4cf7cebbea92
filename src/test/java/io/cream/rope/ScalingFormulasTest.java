package io.cream.rope;

import static io.cream.rope.RopeAssertions.assertAllClose;
import static io.cream.rope.RopeAssertions.assertClose;
import static io.cream.rope.RopeAssertions.theta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** default, linear, ntk, dynamic, llama3 and longrope against hand-derived values. */
class ScalingFormulasTest {
  static final int D = 128, L = 4096;
  static final double BASE = 10000;

  static double[] thetas(int d, double base, double divisor) {
    double[] t = new double[d / 2];
    for (int i = 0; i < t.length; i++) t[i] = theta(i, d, base) / divisor;
    return t;
  }

  @Test
  void typeNames() {
    String[] expected = {"default", "linear", "dynamic", "ntk", "yarn", "yarn-revised", "llama3", "longrope"};
    RopeType[] types = RopeType.values();
    for (int k = 0; k < types.length; k++) {
      var spec = RopeSpec.of(types[k], D, BASE, 4, L).withLongRopeFactors(thetas(D, 2, 1), thetas(D, 3, 1));
      assertEquals(expected[k], spec.build().type());
      assertEquals(D, spec.build().headDim());
      assertEquals(BASE, spec.build().base());
    }
  }

  @Test
  void defaultIsPlainRope() {
    RopeScaling rope = RopeSpec.defaults(D, BASE, L).build();
    assertAllClose(thetas(D, BASE, 1), rope.invFreq(L), 1e-13, "default");
    assertEquals(1.0, rope.attentionFactor(L));
    assertEquals(1.0, rope.invFreq(L)[0]); // b⁰
    assertClose(0.01, rope.invFreq(L)[32], 1e-13, "b^(−1/2) at i = d/4");
  }

  @Test
  void linearDividesEveryFrequency() {
    RopeScaling rope = RopeSpec.of(RopeType.LINEAR, D, BASE, 8, L).build();
    assertAllClose(thetas(D, BASE, 8), rope.invFreq(L), 1e-13, "linear");
    assertEquals(1.0, rope.attentionFactor(8 * L));
  }

  @Test
  void staticNtkBaseForFactorEight() {
    // 8^(128/126) = 2^(3.047619) = 8·e^(0.047619·0.693147) = 8·1.0335578 = 8.268462 → b' = 82,684.6
    var ntk = (StaticNtkRope) RopeSpec.of(RopeType.NTK, D, BASE, 8, L).build();
    assertEquals(82684.6, ntk.scaledBase(), 0.05);
    assertAllClose(thetas(D, 82684.62264056221, 1), ntk.invFreq(1), 1e-12, "ntk");
    assertEquals(1.0, ntk.attentionFactor(L));
    assertEquals(BASE, ntk.base());
  }

  @Test
  void dynamicEqualsDefaultUpToTheWindowThenGrowsTheBase() {
    var dyn = (DynamicNtkRope) RopeSpec.of(RopeType.DYNAMIC, D, BASE, 8, L).build();
    double[] plain = thetas(D, BASE, 1);
    for (int len : new int[] {1, 100, L - 1, L}) assertAllClose(plain, dyn.invFreq(len), 1e-13, "dynamic at " + len);
    // ℓ = 2L: f·ℓ/L − (f − 1) = 16 − 7 = 9, so b' = b·9^(d/(d−2)) = 10⁴·9·e^(ln 9/63) = 93,194.3
    double expectedBase = BASE * Math.exp(128.0 / 126.0 * Math.log(9));
    assertEquals(93194.3, dyn.baseAt(2 * L), 0.05);
    assertClose(expectedBase, dyn.baseAt(2 * L), 1e-13, "dynamic base at 2L");
    assertAllClose(thetas(D, expectedBase, 1), dyn.invFreq(2 * L), 1e-12, "dynamic at 2L");
    assertTrue(dyn.baseAt(L + 1) > BASE && dyn.baseAt(4 * L) > dyn.baseAt(2 * L), "base grows with ℓ");
    assertEquals(1.0, dyn.attentionFactor(4 * L));
  }

  @Test
  void llama3BandsByWavelength() {
    // Llama 3.1: f 8, low 1, high 4, L 8192, b 500000. λ_i = 2π·b^(i/64).
    //   kept (λ < 8192/4 = 2048):  i < 64·ln(2048/2π)/ln b = 64·5.78673/13.12236 = 28.22 → i ≤ 28
    //   divided (λ > 8192/1):      i > 64·ln(8192/2π)/ln b = 64·7.17303/13.12236 = 34.98 → i ≥ 35
    double b = 500000, f = 8;
    RopeScaling rope = RopeSpec.of(RopeType.LLAMA3, D, b, f, 8192).withFreqFactors(1, 4).build();
    double[] inv = rope.invFreq(8192);
    for (int i = 0; i < D / 2; i++) {
      double th = theta(i, D, b), wavelength = 2 * Math.PI / th;
      if (i <= 28) {
        assertTrue(wavelength < 2048);
        assertClose(th, inv[i], 1e-13, "kept " + i);
      } else if (i >= 35) {
        assertTrue(wavelength > 8192);
        assertClose(th / f, inv[i], 1e-13, "divided " + i);
      } else {
        assertTrue(wavelength >= 2048 && wavelength <= 8192);
        double s = (8192 / wavelength - 1) / 3;
        assertTrue(s > 0 && s < 1, "smooth factor inside (0, 1) at " + i);
        assertClose((1 - s) * th / f + s * th, inv[i], 1e-13, "smoothed " + i);
      }
    }
    assertEquals(1.0, rope.attentionFactor(8192));
  }

  @Test
  void longRopePicksFactorsBySequenceLength() {
    int d = 8;
    Random rnd = new Random(7);
    double[] shortF = new double[d / 2], longF = new double[d / 2];
    for (int i = 0; i < d / 2; i++) {
      shortF[i] = 1 + rnd.nextDouble();
      longF[i] = 2 + 6 * rnd.nextDouble();
    }
    var spec = RopeSpec.of(RopeType.LONGROPE, d, BASE, 4, L).withLongRopeFactors(shortF, longF);
    var rope = (LongRope) spec.build();
    double[] atL = rope.invFreq(L), beyond = rope.invFreq(L + 1);
    for (int i = 0; i < d / 2; i++) {
      assertClose(theta(i, d, BASE) / shortF[i], atL[i], 1e-13, "short " + i);
      assertClose(theta(i, d, BASE) / longF[i], beyond[i], 1e-13, "long " + i);
    }
    // √(1 + ln 4 / ln 4096) = √(1 + 2 ln 2 / 12 ln 2) = √(7/6) = 1.0801234
    assertEquals(1.0801234, rope.attentionFactor(L), 1e-7);
    assertClose(Math.sqrt(7.0 / 6.0), rope.attentionFactor(8 * L), 1e-15, "longrope attention");
    assertEquals(1.25, spec.withAttentionFactor(1.25).build().attentionFactor(L));
    // The spec keeps its own copies.
    shortF[0] = 99;
    assertTrue(spec.shortFactor()[0] < 3);
    assertArrayEquals(rope.shortFactor(), spec.shortFactor());
  }

  @Test
  void badSpecsAreUserErrorsNamingTheField() {
    var low = assertThrows(UserError.class, () -> RopeSpec.of(RopeType.YARN, D, BASE, 0.5, L).build());
    assertTrue(low.getMessage().contains("factor"), low.getMessage());
    var odd = assertThrows(UserError.class, () -> RopeSpec.of(RopeType.LINEAR, 127, BASE, 2, L).build());
    assertTrue(odd.getMessage().contains("headDim"), odd.getMessage());
    var noFactors = assertThrows(UserError.class, () -> RopeSpec.of(RopeType.LONGROPE, D, BASE, 2, L).build());
    assertTrue(noFactors.getMessage().contains("shortFactor is missing"), noFactors.getMessage());
    var bands = assertThrows(UserError.class, () -> RopeSpec.of(RopeType.LLAMA3, D, BASE, 8, L).withFreqFactors(4, 1).build());
    assertTrue(bands.getMessage().contains("highFreqFactor"), bands.getMessage());
    var cli = assertThrows(UserError.class, () -> RopeSpec.of(RopeType.NTK, D, 1.0, 2, L).validate(RopeFieldNames.CLI));
    assertTrue(cli.getMessage().startsWith("--base must be"), cli.getMessage());
  }

  @Test
  void buildGivesTheMatchingVariant() {
    assertInstanceOf(YarnRevisedRope.class, RopeSpec.of(RopeType.YARN_REVISED, D, BASE, 8, L).build());
    assertInstanceOf(DynamicNtkRope.class, RopeSpec.of(RopeType.DYNAMIC, D, BASE, 8, L).build());
    assertEquals(8 * L, RopeSpec.of(RopeType.YARN, D, BASE, 8, L).maxPositionEmbeddings());
    assertEquals(L, RopeSpec.defaults(D, BASE, L).maxPositionEmbeddings());
  }
}
