package io.cream.backend.cpu;

import static io.cream.backend.cpu.GemmKernel.LANES;
import static io.cream.backend.cpu.GemmKernel.SPECIES;

import io.cream.util.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Products with only a few rows (a decoded token times a weight matrix). They are bound by
 * reading B, so B is read in place, once and front to back, while the few rows of op(A), gathered
 * into a contiguous scratch, are reused from cache. Parallel over columns of C.
 */
final class GemmSkinny {
  private GemmSkinny() {}

  /** Up to this many rows take this path (the column sweep below keeps four in registers). */
  static final int MAX_ROWS = 4;
  /** Columns of C per task when B is transposed: that many rows of B, each read once. */
  private static final int DOT_COLS = 64;
  /** Columns of C per task when it is not: long contiguous runs of each row of B. */
  private static final int SWEEP_COLS = 512;
  /** Rows of B swept together, while the C vectors they update stay in registers. */
  private static final int DEPTH = 16;

  static void run(GemmCall g, int workers) {
    int m = g.m(), n = g.n(), k = g.k();
    float[] rows = GemmWorkspace.ofCurrentThread().rows(m * k);
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) rows[i * k + p] = g.opA(i, p);
    }
    int cols = g.transB() ? DOT_COLS : SWEEP_COLS;
    GemmTasks.run(GemmBlocked.ceil(n, cols), workers, t -> {
      int j0 = t * cols;
      int j1 = Math.min(n, j0 + cols);
      if (g.transB()) {
        dots(rows, g, j0, j1);
      } else {
        sweep(rows, g, j0, j1);
      }
    });
  }

  /**
   * B stored n×k: C[i][j] = (accumulate ? C : 0) + row i · B row j. Each B row is read once, for
   * all rows at the same time; missing rows (m < 4) repeat the last one and are not stored.
   */
  private static void dots(float[] rows, GemmCall g, int j0, int j1) {
    int m = g.m(), k = g.k(), ldc = g.ldc();
    float[] b = g.b(), c = g.c();
    int a1 = Math.min(1, m - 1) * k, a2 = Math.min(2, m - 1) * k, a3 = Math.min(3, m - 1) * k;
    for (int j = j0; j < j1; j++) {
      int bRow = g.bOff() + j * g.ldb();
      FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
      for (int p = 0; p < k; p += LANES) {
        VectorMask<Float> mask = SPECIES.indexInRange(p, k);
        FloatVector bv = FloatVector.fromArray(SPECIES, b, bRow + p, mask);
        s0 = FloatVector.fromArray(SPECIES, rows, p, mask).fma(bv, s0);
        s1 = FloatVector.fromArray(SPECIES, rows, a1 + p, mask).fma(bv, s1);
        s2 = FloatVector.fromArray(SPECIES, rows, a2 + p, mask).fma(bv, s2);
        s3 = FloatVector.fromArray(SPECIES, rows, a3 + p, mask).fma(bv, s3);
      }
      int ci = g.cOff() + j;
      boolean acc = g.accumulate();
      put(c, ci, Lanes.sum(s0), acc);
      if (m > 1) put(c, ci + ldc, Lanes.sum(s1), acc);
      if (m > 2) put(c, ci + 2 * ldc, Lanes.sum(s2), acc);
      if (m > 3) put(c, ci + 3 * ldc, Lanes.sum(s3), acc);
    }
  }

  private static void put(float[] c, int ci, float sum, boolean accumulate) {
    c[ci] = accumulate ? c[ci] + sum : sum;
  }

  /**
   * B stored k×n: C[0..m)[j0..j1) (+)= rows · B[.][j0..j1), sweeping DEPTH rows of B at a time
   * across the columns, so B streams in row order and each C vector is loaded and stored once per
   * DEPTH rows. Missing rows (m < 4) repeat the last one and are not stored.
   */
  private static void sweep(float[] rows, GemmCall g, int j0, int j1) {
    int m = g.m(), k = g.k(), ldb = g.ldb(), ldc = g.ldc();
    float[] b = g.b(), c = g.c();
    int c0 = g.cOff(), c1 = c0 + Math.min(1, m - 1) * ldc;
    int c2 = c0 + Math.min(2, m - 1) * ldc, c3 = c0 + Math.min(3, m - 1) * ldc;
    int a1 = Math.min(1, m - 1) * k, a2 = Math.min(2, m - 1) * k, a3 = Math.min(3, m - 1) * k;
    if (!g.accumulate()) {
      for (int i = 0; i < m; i++) Arrays.fill(c, c0 + i * ldc + j0, c0 + i * ldc + j1, 0f);
    }
    for (int p0 = 0; p0 < k; p0 += DEPTH) {
      int p1 = Math.min(k, p0 + DEPTH);
      for (int j = j0; j < j1; j += LANES) {
        VectorMask<Float> mask = SPECIES.indexInRange(j, j1);
        FloatVector s0 = FloatVector.fromArray(SPECIES, c, c0 + j, mask);
        FloatVector s1 = FloatVector.fromArray(SPECIES, c, c1 + j, mask);
        FloatVector s2 = FloatVector.fromArray(SPECIES, c, c2 + j, mask);
        FloatVector s3 = FloatVector.fromArray(SPECIES, c, c3 + j, mask);
        for (int p = p0, bi = g.bOff() + p0 * ldb + j; p < p1; p++, bi += ldb) {
          FloatVector bv = FloatVector.fromArray(SPECIES, b, bi, mask);
          s0 = FloatVector.broadcast(SPECIES, rows[p]).fma(bv, s0);
          s1 = FloatVector.broadcast(SPECIES, rows[a1 + p]).fma(bv, s1);
          s2 = FloatVector.broadcast(SPECIES, rows[a2 + p]).fma(bv, s2);
          s3 = FloatVector.broadcast(SPECIES, rows[a3 + p]).fma(bv, s3);
        }
        s0.intoArray(c, c0 + j, mask);
        if (m > 1) s1.intoArray(c, c1 + j, mask);
        if (m > 2) s2.intoArray(c, c2 + j, mask);
        if (m > 3) s3.intoArray(c, c3 + j, mask);
      }
    }
  }
}
