package io.cream.backend.cpu;

import java.util.Arrays;
import java.util.Random;

/**
 * One random gemm problem with its float64 reference: operands in strided buffers with offsets
 * and slack, C pre-filled with random values (the accumulate input, and sentinels outside the
 * m×n window that must survive untouched).
 */
record GemmCase(
    boolean transA, boolean transB, int m, int n, int k, boolean accumulate,
    float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {

  static GemmCase random(
      Random rnd, boolean transA, boolean transB, int m, int n, int k, boolean accumulate,
      boolean slack) {
    int aRows = transA ? k : m, aCols = transA ? m : k;
    int bRows = transB ? n : k, bCols = transB ? k : n;
    int lda = aCols + (slack ? rnd.nextInt(4) : 0);
    int ldb = bCols + (slack ? rnd.nextInt(4) : 0);
    int ldc = n + (slack ? rnd.nextInt(4) : 0);
    int aOff = slack ? rnd.nextInt(5) : 0, bOff = slack ? rnd.nextInt(5) : 0;
    int cOff = slack ? rnd.nextInt(5) : 0;
    return new GemmCase(transA, transB, m, n, k, accumulate,
        randomArray(rnd, aOff + aRows * lda + (slack ? 3 : 0)), aOff, lda,
        randomArray(rnd, bOff + bRows * ldb + (slack ? 3 : 0)), bOff, ldb,
        randomArray(rnd, cOff + m * ldc + (slack ? 3 : 0)), cOff, ldc);
  }

  static float[] randomArray(Random rnd, int size) {
    float[] x = new float[size];
    for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2f - 1f;
    return x;
  }

  /** Runs Gemm on a copy of C with the given thread limit and returns that copy. */
  float[] run(int threads) {
    float[] out = c.clone();
    Gemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, out, cOff, ldc, accumulate,
        threads);
    return out;
  }

  /** The expected C in float64 (the whole array: entries outside the window keep their value). */
  double[] reference() {
    double[] ref = new double[c.length];
    for (int i = 0; i < c.length; i++) ref[i] = c[i];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          s += av * bv;
        }
        int ci = cOff + i * ldc + j;
        ref[ci] = accumulate ? ref[ci] + s : s;
      }
    }
    return ref;
  }

  /** ‖out − ref‖ / ‖ref‖ over the m×n window; NaN if out holds a NaN. */
  double relativeError(float[] out, double[] ref) {
    double num = 0, den = 0;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int ci = cOff + i * ldc + j;
        double d = out[ci] - ref[ci];
        num += d * d;
        den += ref[ci] * ref[ci];
      }
    }
    return Math.sqrt(num) / Math.sqrt(den);
  }

  /** Whether every entry of C outside the m×n window is exactly as it was. */
  boolean outsideUntouched(float[] out) {
    boolean[] inside = new boolean[c.length];
    for (int i = 0; i < m; i++) Arrays.fill(inside, cOff + i * ldc, cOff + i * ldc + n, true);
    for (int i = 0; i < c.length; i++) {
      if (!inside[i] && Float.floatToRawIntBits(out[i]) != Float.floatToRawIntBits(c[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "m=%d n=%d k=%d transA=%b transB=%b accumulate=%b lda=%d ldb=%d ldc=%d offsets=%d,%d,%d"
        .formatted(m, n, k, transA, transB, accumulate, lda, ldb, ldc, aOff, bOff, cOff);
  }
}
