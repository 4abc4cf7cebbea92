package io.cream.rope;

import static io.cream.rope.RopeAssertions.theta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** cos/sin tables for sparse, far-reaching positions against a float64 reference. */
class RopeTablesTest {
  static final int D = 128, L = 4096, HALF = D / 2;

  /** 700 distinct random positions in [0, 300000], in random order (CREAM-like gaps, beyond f·N). */
  static int[] sparsePositions(long seed) {
    Random rnd = new Random(seed);
    TreeSet<Integer> set = new TreeSet<>();
    set.add(300_000);
    while (set.size() < 700) set.add(rnd.nextInt(300_001));
    int[] p = set.stream().mapToInt(Integer::intValue).toArray();
    for (int i = p.length - 1; i > 0; i--) { // shuffle: order must not matter
      int j = rnd.nextInt(i + 1), t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** YaRN inv_freq for Llama-2 f = 8 written out by hand (low 20, high 46), not via the production code. */
  static double[] yarnByHand() {
    double[] inv = new double[HALF];
    for (int i = 0; i < HALF; i++) {
      double ramp = Math.clamp((i - 20) / 26.0, 0.0, 1.0);
      inv[i] = theta(i, D, 10000) * (1 - ramp + ramp / 8);
    }
    return inv;
  }

  static double relativeError(float[] out, double[] ref) {
    double num = 0, den = 0;
    for (int k = 0; k < ref.length; k++) {
      assertTrue(Float.isFinite(out[k]), "finite at " + k);
      num += (out[k] - ref[k]) * (out[k] - ref[k]);
      den += ref[k] * ref[k];
    }
    return Math.sqrt(num / den);
  }

  @Test
  void tablesMatchFloat64AnglesForSparsePositionsUpTo300k() {
    int[] positions = sparsePositions(2024);
    RopeScaling yarn = RopeSpec.of(RopeType.YARN, D, 10000, 8, L).build();
    RopeTables tables = RopeTables.compute(yarn, positions, 8 * L);
    assertEquals(HALF, tables.half());
    assertEquals(positions.length, tables.rows());

    double[] inv = yarnByHand();
    double attention = 1 + 0.3 * Math.log(2);
    double[] refCos = new double[positions.length * HALF], refSin = new double[positions.length * HALF];
    for (int t = 0; t < positions.length; t++) {
      for (int i = 0; i < HALF; i++) {
        double angle = positions[t] * inv[i];
        refCos[t * HALF + i] = attention * StrictMath.cos(angle);
        refSin[t * HALF + i] = attention * StrictMath.sin(angle);
      }
    }
    assertTrue(relativeError(tables.cos(), refCos) < 1e-6, "cos rel err " + relativeError(tables.cos(), refCos));
    assertTrue(relativeError(tables.sin(), refSin) < 1e-6, "sin rel err " + relativeError(tables.sin(), refSin));
    // Float32 of a float64 value: every entry within half an ulp of the attention factor's scale.
    for (int k = 0; k < refCos.length; k++) {
      assertEquals(refCos[k], tables.cos()[k], 1e-7 * attention, "cos entry " + k);
      assertEquals(refSin[k], tables.sin()[k], 1e-7 * attention, "sin entry " + k);
    }
  }

  /**
   * The tables as the model uses them (uploaded, then the backend's rope op on two heads per row):
   * each head turns as the complex multiplication of its halves by e^{iφ}, φ = p·θ_i/8.
   */
  @Test
  void tablesRotateHeadsAsComplexMultiplicationOfHalves() {
    Random rnd = new Random(5);
    int[] positions = {0, 17, 4095, 32767, 123_457};
    int heads = 2, n = positions.length;
    RopeScaling linear = RopeSpec.of(RopeType.LINEAR, D, 10000, 8, L).build();
    RopeTables tables = RopeTables.compute(linear, positions, 8 * L);
    float[] x = new float[n * heads * D];
    for (int k = 0; k < x.length; k++) x[k] = (float) rnd.nextGaussian();
    float[] rotated;
    try (CpuBackend be = new CpuBackend()) {
      Tensor q = be.upload(x, n, heads * D);
      be.rope(q, null, be.upload(tables.cos(), n, HALF), be.upload(tables.sin(), n, HALF), D);
      rotated = be.download(q);
    }
    for (int row = 0; row < n; row++) {
      for (int h = 0; h < heads; h++) {
        int at = (row * heads + h) * D;
        double num = 0, den = 0;
        for (int i = 0; i < HALF; i++) {
          double phi = positions[row] * theta(i, D, 10000) / 8;
          double a = x[at + i], b = x[at + i + HALF];
          double re = a * Math.cos(phi) - b * Math.sin(phi), im = a * Math.sin(phi) + b * Math.cos(phi);
          num += Math.pow(rotated[at + i] - re, 2) + Math.pow(rotated[at + i + HALF] - im, 2);
          den += re * re + im * im;
        }
        assertTrue(Math.sqrt(num / den) < 1e-6, "rotation rel err at row " + row + ", head " + h + ": " + Math.sqrt(num / den));
      }
    }
  }

  @Test
  void defaultSeqLenIsLargestPositionPlusOne() {
    RopeScaling dynamic = RopeSpec.of(RopeType.DYNAMIC, D, 10000, 8, L).build();
    int[] positions = {5, 3 * L - 1, 100};
    RopeTables implicit = RopeTables.compute(dynamic, positions);
    RopeTables explicit = RopeTables.compute(dynamic, positions, 3 * L);
    RopeTables unscaled = RopeTables.compute(dynamic, positions, L);
    assertArrayEquals(explicit.cos(), implicit.cos());
    assertArrayEquals(explicit.sin(), implicit.sin());
    assertTrue(explicit.cos()[HALF + HALF - 1] != unscaled.cos()[HALF + HALF - 1], "dynamic base grew past L");
  }

  @Test
  void cosAndSinCarryTheAttentionFactorSquaredInTheirNorm() {
    RopeScaling yarn = RopeSpec.of(RopeType.YARN, D, 10000, 16, L).build();
    RopeTables tables = RopeTables.compute(yarn, sparsePositions(9));
    double a2 = Math.pow(0.1 * Math.log(16) + 1, 2);
    for (int k = 0; k < tables.cos().length; k++) {
      double n = tables.cos()[k] * (double) tables.cos()[k] + tables.sin()[k] * (double) tables.sin()[k];
      assertEquals(a2, n, 1e-6, "cos² + sin² at " + k);
    }
  }
}
