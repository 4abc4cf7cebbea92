package io.cream.backend.cpu;

import static io.cream.backend.cpu.GemmKernel.LANES;
import static io.cream.backend.cpu.GemmKernel.SPECIES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Products with only a few rows (a decoded token times a weight matrix). Packing B would cost as
 * much as the product itself, so B is read in place, once, while the few rows of op(A), gathered
 * into a contiguous scratch, are reused from cache. Parallel over columns of C.
 */
final class GemmSkinny {
  private GemmSkinny() {}

  /** Up to this many rows take this path. */
  static final int MAX_ROWS = 4;
  /** Columns per task. */
  private static final int COLS_PER_TASK = 64;
  private static final int WIDE = 4 * LANES;

  static void run(GemmCall g, int workers) {
    int m = g.m(), n = g.n(), k = g.k();
    float[] rows = GemmWorkspace.ofCurrentThread().rows(m * k);
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) rows[i * k + p] = g.opA(i, p);
    }
    int tasks = GemmBlocked.ceil(n, COLS_PER_TASK);
    GemmTasks.run(tasks, workers, t -> {
      int j0 = t * COLS_PER_TASK;
      int j1 = Math.min(n, j0 + COLS_PER_TASK);
      for (int i = 0; i < m; i++) {
        if (g.transB()) {
          for (int j = j0; j < j1; j++) {
            float s = dot(rows, i * k, g.b(), g.bOff() + j * g.ldb(), k);
            int ci = g.cOff() + i * g.ldc() + j;
            g.c()[ci] = g.accumulate() ? g.c()[ci] + s : s;
          }
        } else {
          rowTimesB(rows, i * k, g, g.cOff() + i * g.ldc(), j0, j1);
        }
      }
    });
  }

  /** Σ x[xOff+p]·y[yOff+p] over p < len, four vectors at a time. */
  private static float dot(float[] x, int xOff, float[] y, int yOff, int len) {
    FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
    int p = 0;
    for (; p + WIDE <= len; p += WIDE) {
      s0 = FloatVector.fromArray(SPECIES, x, xOff + p)
          .fma(FloatVector.fromArray(SPECIES, y, yOff + p), s0);
      s1 = FloatVector.fromArray(SPECIES, x, xOff + p + LANES)
          .fma(FloatVector.fromArray(SPECIES, y, yOff + p + LANES), s1);
      s2 = FloatVector.fromArray(SPECIES, x, xOff + p + 2 * LANES)
          .fma(FloatVector.fromArray(SPECIES, y, yOff + p + 2 * LANES), s2);
      s3 = FloatVector.fromArray(SPECIES, x, xOff + p + 3 * LANES)
          .fma(FloatVector.fromArray(SPECIES, y, yOff + p + 3 * LANES), s3);
    }
    for (; p < len; p += LANES) {
      VectorMask<Float> mask = SPECIES.indexInRange(p, len);
      s0 = FloatVector.fromArray(SPECIES, x, xOff + p, mask)
          .fma(FloatVector.fromArray(SPECIES, y, yOff + p, mask), s0);
    }
    return s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
  }

  /** C row [j0, j1) at cRow = (accumulate ? C : 0) + Σ_p row[p]·B[p][j0..j1), B stored k×n. */
  private static void rowTimesB(float[] row, int rOff, GemmCall g, int cRow, int j0, int j1) {
    float[] b = g.b(), c = g.c();
    int k = g.k(), ldb = g.ldb(), bOff = g.bOff();
    int j = j0;
    for (; j + WIDE <= j1; j += WIDE) {
      FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
      for (int p = 0, bi = bOff + j; p < k; p++, bi += ldb) {
        FloatVector x = FloatVector.broadcast(SPECIES, row[rOff + p]);
        s0 = x.fma(FloatVector.fromArray(SPECIES, b, bi), s0);
        s1 = x.fma(FloatVector.fromArray(SPECIES, b, bi + LANES), s1);
        s2 = x.fma(FloatVector.fromArray(SPECIES, b, bi + 2 * LANES), s2);
        s3 = x.fma(FloatVector.fromArray(SPECIES, b, bi + 3 * LANES), s3);
      }
      store(s0, c, cRow + j, g.accumulate());
      store(s1, c, cRow + j + LANES, g.accumulate());
      store(s2, c, cRow + j + 2 * LANES, g.accumulate());
      store(s3, c, cRow + j + 3 * LANES, g.accumulate());
    }
    for (; j < j1; j += LANES) {
      VectorMask<Float> mask = SPECIES.indexInRange(j, j1);
      FloatVector s = FloatVector.zero(SPECIES);
      for (int p = 0, bi = bOff + j; p < k; p++, bi += ldb) {
        s = FloatVector.broadcast(SPECIES, row[rOff + p])
            .fma(FloatVector.fromArray(SPECIES, b, bi, mask), s);
      }
      store(s, c, cRow + j, g.accumulate(), mask);
    }
  }

  private static void store(FloatVector v, float[] c, int ci, boolean load) {
    if (load) {
      v.add(FloatVector.fromArray(SPECIES, c, ci)).intoArray(c, ci);
    } else {
      v.intoArray(c, ci);
    }
  }

  private static void store(FloatVector v, float[] c, int ci, boolean load, VectorMask<Float> m) {
    if (load) {
      v.add(FloatVector.fromArray(SPECIES, c, ci, m)).intoArray(c, ci, m);
    } else {
      v.intoArray(c, ci, m);
    }
  }
}
