package io.cream.backend.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Single-threaded matrix products on small tiles (attention's 64×64 blocks), register-blocked with
 * the Vector API: C[m×n] (+)= A[m×k]·B[k×n]. A is read one scalar at a time, so it may have any
 * strides (element (i, p) at a[aOff + i·aRow + p·aCol]): passing aRow = 1 reads a stored matrix
 * transposed for free. B is row-major with row stride ldb and contiguous along n, C likewise with
 * ldc. Callers parallelise over tiles; this class never spawns work.
 */
final class TileMatmul {
  private static final int L = Vec.L;

  private TileMatmul() {}

  static void mul(int m, int n, int k,
      float[] a, int aOff, int aRow, int aCol,
      float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    int i = 0;
    for (; i + 4 <= m; i += 4) {
      int ai = aOff + i * aRow;
      int ci = cOff + i * ldc;
      int j = 0;
      for (; j + 2 * L <= n; j += 2 * L) {
        rows4x2(k, a, ai, aRow, aCol, b, bOff + j, ldb, c, ci + j, ldc, accumulate);
      }
      for (; j + L <= n; j += L) {
        for (int r = 0; r < 4; r++) {
          row1(k, a, ai + r * aRow, aCol, b, bOff + j, ldb, c, ci + r * ldc + j, accumulate);
        }
      }
      for (; j < n; j++) {
        for (int r = 0; r < 4; r++) {
          c[ci + r * ldc + j] = dotScalar(k, a, ai + r * aRow, aCol, b, bOff + j, ldb,
              accumulate ? c[ci + r * ldc + j] : 0f);
        }
      }
    }
    for (; i < m; i++) {
      int ai = aOff + i * aRow;
      int ci = cOff + i * ldc;
      int j = 0;
      for (; j + L <= n; j += L) row1(k, a, ai, aCol, b, bOff + j, ldb, c, ci + j, accumulate);
      for (; j < n; j++) {
        c[ci + j] = dotScalar(k, a, ai, aCol, b, bOff + j, ldb, accumulate ? c[ci + j] : 0f);
      }
    }
  }

  /** Four rows of A against two vectors' width of B: eight accumulators stay in registers. */
  private static void rows4x2(int k, float[] a, int ai, int aRow, int aCol,
      float[] b, int bj, int ldb, float[] c, int ci, int ldc, boolean accumulate) {
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31;
    if (accumulate) {
      c00 = FloatVector.fromArray(Vec.F, c, ci);
      c01 = FloatVector.fromArray(Vec.F, c, ci + L);
      c10 = FloatVector.fromArray(Vec.F, c, ci + ldc);
      c11 = FloatVector.fromArray(Vec.F, c, ci + ldc + L);
      c20 = FloatVector.fromArray(Vec.F, c, ci + 2 * ldc);
      c21 = FloatVector.fromArray(Vec.F, c, ci + 2 * ldc + L);
      c30 = FloatVector.fromArray(Vec.F, c, ci + 3 * ldc);
      c31 = FloatVector.fromArray(Vec.F, c, ci + 3 * ldc + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = FloatVector.zero(Vec.F);
    }
    int a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow;
    for (int p = 0, ap = ai, bp = bj; p < k; p++, ap += aCol, bp += ldb) {
      FloatVector b0 = FloatVector.fromArray(Vec.F, b, bp);
      FloatVector b1 = FloatVector.fromArray(Vec.F, b, bp + L);
      FloatVector x = FloatVector.broadcast(Vec.F, a[ap]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(Vec.F, a[ap + a1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(Vec.F, a[ap + a2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(Vec.F, a[ap + a3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
    }
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c10.intoArray(c, ci + ldc);
    c11.intoArray(c, ci + ldc + L);
    c20.intoArray(c, ci + 2 * ldc);
    c21.intoArray(c, ci + 2 * ldc + L);
    c30.intoArray(c, ci + 3 * ldc);
    c31.intoArray(c, ci + 3 * ldc + L);
  }

  private static void row1(int k, float[] a, int ai, int aCol,
      float[] b, int bj, int ldb, float[] c, int ci, boolean accumulate) {
    FloatVector acc = accumulate ? FloatVector.fromArray(Vec.F, c, ci) : FloatVector.zero(Vec.F);
    for (int p = 0, ap = ai, bp = bj; p < k; p++, ap += aCol, bp += ldb) {
      acc = FloatVector.fromArray(Vec.F, b, bp).fma(FloatVector.broadcast(Vec.F, a[ap]), acc);
    }
    acc.intoArray(c, ci);
  }

  private static float dotScalar(int k, float[] a, int ai, int aCol,
      float[] b, int bj, int ldb, float init) {
    float s = init;
    for (int p = 0; p < k; p++) s += a[ai + p * aCol] * b[bj + p * ldb];
    return s;
  }

  /**
   * dst[c·ldDst + r] ← src[srcOff + r·srcRow + c] for r < rows, c < cols, and zeros in columns
   * rows..ldDst−1 so a padded tile multiplies to finite values.
   */
  static void transpose(float[] src, int srcOff, int srcRow, int rows, int cols,
      float[] dst, int ldDst) {
    for (int r = 0; r < rows; r++) {
      int s = srcOff + r * srcRow;
      for (int c = 0; c < cols; c++) dst[c * ldDst + r] = src[s + c];
    }
    if (rows < ldDst) {
      for (int c = 0; c < cols; c++) {
        java.util.Arrays.fill(dst, c * ldDst + rows, (c + 1) * ldDst, 0f);
      }
    }
  }
}
