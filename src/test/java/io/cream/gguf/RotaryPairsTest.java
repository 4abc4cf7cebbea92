package io.cream.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cream.rope.RopeSpec;
import io.cream.rope.RopeTables;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Reordered q/k rows rotated llama.cpp's way (adjacent pairs) give the same attention scores as the
 * original rows rotated cream's way (rotate half), at every pair of positions.
 */
class RotaryPairsTest {
  static final int HEADS = 3, D = 8, COLS = 5;

  @Test
  void adjacentPairRotationOfReorderedRowsGivesTheSameScores() {
    SplittableRandom rng = new SplittableRandom(1);
    float[] wq = random(rng, HEADS * D * COLS), wk = random(rng, HEADS * D * COLS);
    float[] wqPaired = RotaryPairs.toAdjacent(wq, HEADS, D, COLS), wkPaired = RotaryPairs.toAdjacent(wk, HEADS, D, COLS);
    float[] x1 = random(rng, COLS), x2 = random(rng, COLS);
    int[] positions = {0, 7, 250};
    RopeTables t = RopeTables.compute(RopeSpec.defaults(D, 10000, 64).build(), positions);
    for (int a = 0; a < positions.length; a++) {
      for (int b = 0; b < positions.length; b++) {
        float[] q = matvec(wq, x1), k = matvec(wk, x2), qp = matvec(wqPaired, x1), kp = matvec(wkPaired, x2);
        for (int h = 0; h < HEADS; h++) {
          rotateHalf(q, h * D, t, a);
          rotateHalf(k, h * D, t, b);
          rotateAdjacent(qp, h * D, t, a);
          rotateAdjacent(kp, h * D, t, b);
          assertEquals(dot(q, k, h), dot(qp, kp, h), 1e-5, "head " + h + ", positions " + a + ", " + b);
        }
      }
    }
  }

  @Test
  void rowsMoveToInterleavedSlots() {
    float[] w = new float[2 * 4]; // 2 heads × d 4, one column: row r holds r
    for (int r = 0; r < w.length; r++) w[r] = r;
    float[] p = RotaryPairs.toAdjacent(w, 2, 4, 1);
    assertEquals(java.util.Arrays.toString(new float[] {0, 2, 1, 3, 4, 6, 5, 7}), java.util.Arrays.toString(p));
  }

  /** cream's and HF's RoPE (the CPU backend's rope op, RopeTablesTest): pair i is (x[i], x[i + D/2]). */
  private static void rotateHalf(float[] x, int off, RopeTables t, int row) {
    for (int i = 0; i < D / 2; i++) {
      float c = t.cos()[row * (D / 2) + i], s = t.sin()[row * (D / 2) + i];
      float a = x[off + i], b = x[off + i + D / 2];
      x[off + i] = a * c - b * s;
      x[off + i + D / 2] = a * s + b * c;
    }
  }

  /** llama.cpp's normal (non-NeoX) RoPE: pair i is (x[2i], x[2i+1]). */
  private static void rotateAdjacent(float[] x, int off, RopeTables t, int row) {
    for (int i = 0; i < D / 2; i++) {
      float c = t.cos()[row * (D / 2) + i], s = t.sin()[row * (D / 2) + i];
      float a = x[off + 2 * i], b = x[off + 2 * i + 1];
      x[off + 2 * i] = a * c - b * s;
      x[off + 2 * i + 1] = a * s + b * c;
    }
  }

  private static double dot(float[] q, float[] k, int head) {
    double s = 0;
    for (int i = 0; i < D; i++) s += (double) q[head * D + i] * k[head * D + i];
    return s;
  }

  private static float[] matvec(float[] w, float[] x) {
    float[] y = new float[w.length / x.length];
    for (int r = 0; r < y.length; r++) for (int c = 0; c < x.length; c++) y[r] += w[r * x.length + c] * x[c];
    return y;
  }

  private static float[] random(SplittableRandom rng, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }
}
