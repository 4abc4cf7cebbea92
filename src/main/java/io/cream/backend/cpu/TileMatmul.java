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
  /**
   * With 512-bit vectors (32 registers) a 4×4-vector block of 16 accumulators runs ~1.4× faster
   * than 4×2 on 64-wide tiles (measured on Sapphire Rapids); with 16 registers it would spill.
   */
  private static final boolean WIDE = Vec.F.vectorBitSize() >= 512;

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
      if (WIDE) {
        for (; j + 4 * L <= n; j += 4 * L) {
          rows4x4(k, a, ai, aRow, aCol, b, bOff + j, ldb, c, ci + j, ldc, accumulate);
        }
      }
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

  /** Four rows of A against four vectors' width of B: sixteen accumulators in registers. */
  private static void rows4x4(int k, float[] a, int ai, int aRow, int aCol,
      float[] b, int bj, int ldb, float[] c, int ci, int ldc, boolean accumulate) {
    FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33;
    if (accumulate) {
      int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
      c00 = load(c, ci);
      c01 = load(c, ci + L);
      c02 = load(c, ci + 2 * L);
      c03 = load(c, ci + 3 * L);
      c10 = load(c, r1);
      c11 = load(c, r1 + L);
      c12 = load(c, r1 + 2 * L);
      c13 = load(c, r1 + 3 * L);
      c20 = load(c, r2);
      c21 = load(c, r2 + L);
      c22 = load(c, r2 + 2 * L);
      c23 = load(c, r2 + 3 * L);
      c30 = load(c, r3);
      c31 = load(c, r3 + L);
      c32 = load(c, r3 + 2 * L);
      c33 = load(c, r3 + 3 * L);
    } else {
      c00 = c01 = c02 = c03 = c10 = c11 = c12 = c13 = FloatVector.zero(Vec.F);
      c20 = c21 = c22 = c23 = c30 = c31 = c32 = c33 = c00;
    }
    int a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow;
    for (int p = 0, ap = ai, bp = bj; p < k; p++, ap += aCol, bp += ldb) {
      FloatVector b0 = load(b, bp);
      FloatVector b1 = load(b, bp + L);
      FloatVector b2 = load(b, bp + 2 * L);
      FloatVector b3 = load(b, bp + 3 * L);
      FloatVector x = FloatVector.broadcast(Vec.F, a[ap]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      c02 = b2.fma(x, c02);
      c03 = b3.fma(x, c03);
      x = FloatVector.broadcast(Vec.F, a[ap + a1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      c12 = b2.fma(x, c12);
      c13 = b3.fma(x, c13);
      x = FloatVector.broadcast(Vec.F, a[ap + a2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      c22 = b2.fma(x, c22);
      c23 = b3.fma(x, c23);
      x = FloatVector.broadcast(Vec.F, a[ap + a3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      c32 = b2.fma(x, c32);
      c33 = b3.fma(x, c33);
    }
    int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
    c00.intoArray(c, ci);
    c01.intoArray(c, ci + L);
    c02.intoArray(c, ci + 2 * L);
    c03.intoArray(c, ci + 3 * L);
    c10.intoArray(c, r1);
    c11.intoArray(c, r1 + L);
    c12.intoArray(c, r1 + 2 * L);
    c13.intoArray(c, r1 + 3 * L);
    c20.intoArray(c, r2);
    c21.intoArray(c, r2 + L);
    c22.intoArray(c, r2 + 2 * L);
    c23.intoArray(c, r2 + 3 * L);
    c30.intoArray(c, r3);
    c31.intoArray(c, r3 + L);
    c32.intoArray(c, r3 + 2 * L);
    c33.intoArray(c, r3 + 3 * L);
  }

  private static FloatVector load(float[] x, int i) {
    return FloatVector.fromArray(Vec.F, x, i);
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

  /** dst[dstOff + c·ldDst + r] ← src[srcOff + r·srcRow + c] for r < rows, c < cols. */
  static void transpose(float[] src, int srcOff, int srcRow, int rows, int cols,
      float[] dst, int dstOff, int ldDst) {
    for (int r = 0; r < rows; r++) {
      int s = srcOff + r * srcRow;
      int t = dstOff + r;
      for (int c = 0; c < cols; c++) dst[t + c * ldDst] = src[s + c];
    }
  }
}
