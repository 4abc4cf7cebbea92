package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Temperature and top-p sampling on a fixed row of logits, with a fixed seed. */
class SamplerTest {
  private static final float[] LOGITS = {1.0f, 3.0f, 0.0f, 2.0f, -1.0f};
  private static final int DRAWS = 200_000;

  private static double[] softmax(float[] logits, double t) {
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] / t);
    for (int i = 0; i < p.length; i++) p[i] /= sum;
    return p;
  }

  private static double[] frequencies(Sampler s) {
    double[] f = new double[LOGITS.length];
    for (int i = 0; i < DRAWS; i++) f[s.next(LOGITS)]++;
    for (int i = 0; i < f.length; i++) f[i] /= DRAWS;
    return f;
  }

  /** Each frequency within 5 standard errors of its probability (a binomial count). */
  private static void assertMatches(double[] p, double[] f) {
    for (int i = 0; i < p.length; i++) {
      double se = Math.sqrt(p[i] * (1 - p[i]) / DRAWS);
      assertEquals(p[i], f[i], 5 * se + 1e-12, "token " + i);
    }
  }

  @Test
  void samplesTheSoftmaxAtTheTemperature() {
    for (double t : new double[] {1.0, 2.0, 0.5}) {
      assertMatches(softmax(LOGITS, t), frequencies(new Sampler(t, 1.0, new SplittableRandom(7))));
    }
  }

  @Test
  void topPKeepsTheSmallestSetReachingTheMassAndRenormalizes() {
    double[] p = softmax(LOGITS, 1); // by size: token 1 (0.64), 3 (0.24), 0 (0.09), 2, 4
    // top-p 0.5: token 1 alone reaches it.
    double[] f = frequencies(new Sampler(1, 0.5, new SplittableRandom(1)));
    assertEquals(1.0, f[1]);
    // top-p 0.8: tokens 1 and 3 (0.88 ≥ 0.8), in their ratio; the rest never.
    f = frequencies(new Sampler(1, 0.8, new SplittableRandom(2)));
    double kept = p[1] + p[3];
    assertMatches(new double[] {0, p[1] / kept, 0, p[3] / kept, 0}, f);
    assertEquals(0.0, f[0] + f[2] + f[4]);
    // top-p 1 keeps every token.
    f = frequencies(new Sampler(1, 1.0, new SplittableRandom(3)));
    for (double x : f) assertTrue(x > 0);
  }

  @Test
  void aLowTemperatureIsGreedyAndZeroIsArgmax() {
    assertEquals(1, Sampler.argmax(LOGITS));
    assertEquals(1, Sampler.greedy().next(LOGITS));
    Sampler cold = new Sampler(1e-3, 1.0, new SplittableRandom(4));
    for (int i = 0; i < 1000; i++) assertEquals(1, cold.next(LOGITS));
    assertEquals(0, Sampler.argmax(new float[] {5, 5, 1}), "ties go to the first");
  }

  @Test
  void aSeedFixesTheDraws() {
    int[] a = new int[50], b = new int[50];
    Sampler s1 = new Sampler(1.5, 0.95, new SplittableRandom(11)), s2 = new Sampler(1.5, 0.95, new SplittableRandom(11));
    for (int i = 0; i < a.length; i++) {
      a[i] = s1.next(LOGITS);
      b[i] = s2.next(LOGITS);
    }
    assertArrayEquals(a, b);
  }

  @Test
  void badSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Sampler(-1, 0.9, new SplittableRandom(0)));
    assertThrows(IllegalArgumentException.class, () -> new Sampler(1, 0, new SplittableRandom(0)));
    assertThrows(IllegalArgumentException.class, () -> new Sampler(1, 1.5, new SplittableRandom(0)));
  }
}
