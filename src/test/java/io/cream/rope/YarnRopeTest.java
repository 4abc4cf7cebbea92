package io.cream.rope;

import static io.cream.rope.RopeAssertions.assertClose;
import static io.cream.rope.RopeAssertions.theta;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** YaRN (HF) and CREAM's revised YaRN for Llama-2: d 128, base 10000, L 4096, f 8. */
class YarnRopeTest {
  static final int D = 128, L = 4096;
  static final double BASE = 10000, F = 8;
  // By hand: dim(ρ) = d·ln(L/(2πρ)) / (2·ln b), 2·ln 10⁴ = 18.4207.
  //   dim(32) = 128·ln(4096/201.06)/18.4207 = 128·3.01418/18.4207 = 20.94 → floor 20
  //   dim(1)  = 128·ln(4096/6.28319)/18.4207 = 128·6.47989/18.4207 = 45.03 → ceil 46
  static final int LOW = 20, HIGH = 46;

  final YarnRope yarn = (YarnRope) RopeSpec.of(RopeType.YARN, D, BASE, F, L).build();
  final YarnRevisedRope revised = (YarnRevisedRope) RopeSpec.of(RopeType.YARN_REVISED, D, BASE, F, L).build();

  @Test
  void rampBoundsForLlama2() {
    assertEquals(new YarnRamp(LOW, HIGH), yarn.ramp());
    assertEquals(new YarnRamp(LOW, HIGH), revised.ramp());
  }

  @Test
  void attentionFactorIsTenthOfLogFactorPlusOne() {
    // 0.1·ln 8 + 1 = 0.3·ln 2 + 1 = 0.3·0.693147 + 1 = 1.207944
    assertEquals(1.2079, yarn.attentionFactor(L), 1e-4);
    assertClose(1 + 0.3 * Math.log(2), yarn.attentionFactor(L), 1e-15, "yarn attention");
    assertClose(1 + 0.3 * Math.log(2), revised.attentionFactor(L), 1e-15, "revised attention");
    var explicit = RopeSpec.of(RopeType.YARN, D, BASE, F, L).withAttentionFactor(1.5).build();
    assertEquals(1.5, explicit.attentionFactor(L));
  }

  @Test
  void yarnKeepsHighFrequenciesInterpolatesLowOnesAndRampsBetween() {
    double[] inv = yarn.invFreq(L);
    assertEquals(D / 2, inv.length);
    for (int i = 0; i < D / 2; i++) {
      double th = theta(i, D, BASE);
      // Inside the band the frequency blend is θ(1 − (1 − 1/f)·ramp), ramp = (i − 20)/26.
      double expected = i <= LOW ? th : i >= HIGH ? th / F : th * (1 - (1 - 1 / F) * (i - LOW) / (double) (HIGH - LOW));
      assertClose(expected, inv[i], 1e-13, "yarn inv_freq[" + i + "]");
    }
    // Mid-band, ramp = 13/26 = 1/2: θ·(1/16 + 1/2) = θ·9/16.
    assertClose(theta(33, D, BASE) * 9 / 16, inv[33], 1e-13, "yarn inv_freq[33]");
  }

  @Test
  void revisedDiffersOnlyInsideTheBandAndBlendsWavelengths() {
    double[] y = yarn.invFreq(L), r = revised.invFreq(L);
    for (int i = 0; i < D / 2; i++) {
      double th = theta(i, D, BASE);
      double w = 1 - Math.clamp((i - LOW) / (double) (HIGH - LOW), 0.0, 1.0);
      assertClose(th / ((1 - w) * F + w), r[i], 1e-13, "revised inv_freq[" + i + "]");
      if (i <= LOW || i >= HIGH) {
        assertClose(y[i], r[i], 1e-15, "outside the band [" + i + "]");
      } else {
        // A harmonic blend of frequencies lies strictly below the arithmetic one.
        assertTrue(r[i] < y[i] * (1 - 1e-6), "inside the band revised < yarn at " + i);
      }
    }
    // Mid-band, w = 1/2: θ / (4 + 1/2).
    assertClose(theta(33, D, BASE) / 4.5, r[33], 1e-13, "revised inv_freq[33]");
  }

  @Test
  void seqLenDoesNotMatterForYarn() {
    assertEquals(java.util.Arrays.toString(yarn.invFreq(1)), java.util.Arrays.toString(yarn.invFreq(10 * L)));
    assertEquals(yarn.attentionFactor(1), yarn.attentionFactor(10 * L));
  }

  @Test
  void singularRampIsGuarded() {
    YarnRamp ramp = new YarnRamp(5, 5);
    assertEquals(0.0, ramp.ramp(5));
    assertEquals(1.0, ramp.ramp(6));
    assertEquals(1.0, ramp.extrapolationWeight(4));
  }

  @Test
  void betasMoveTheBand() {
    // β_fast 64 halves the turn count at the low edge: dim(64) = 128·ln(4096/402.12)/18.4207 = 16.13 → 16.
    var spec = RopeSpec.of(RopeType.YARN, D, BASE, F, L).withBetas(64, 1);
    assertEquals(16, ((YarnRope) spec.build()).ramp().low());
    assertEquals(OptionalDouble.empty(), spec.attentionFactor());
  }
}
