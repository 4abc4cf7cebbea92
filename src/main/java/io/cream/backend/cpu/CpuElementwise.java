package io.cream.backend.cpu;

import io.cream.util.Parallel;

/** Whole-tensor elementwise ops and the sum of squares, parallel over fixed-size blocks. */
final class CpuElementwise {
  /** Elements per block; sums combine per-block partials in block order, so they are repeatable. */
  private static final int BLOCK = 1 << 15;

  private CpuElementwise() {}

  static void fill(CpuTensor t, float value) {
    float[] a = t.array();
    int o = t.offset();
    Parallel.forRange(t.length(), BLOCK, (i0, i1) -> java.util.Arrays.fill(a, o + i0, o + i1, value));
  }

  static void add(CpuTensor a, CpuTensor b) {
    float[] x = a.array(), y = b.array();
    int xo = a.offset(), yo = b.offset();
    Parallel.forRange(a.length(), BLOCK, (i0, i1) -> Vec.add(x, xo + i0, y, yo + i0, i1 - i0));
  }

  static void scale(CpuTensor t, float factor) {
    float[] a = t.array();
    int o = t.offset();
    Parallel.forRange(t.length(), BLOCK, (i0, i1) -> Vec.scale(a, o + i0, i1 - i0, factor));
  }

  static double sumOfSquares(CpuTensor t) {
    float[] a = t.array();
    int o = t.offset();
    int n = t.length();
    int blocks = (n + BLOCK - 1) / BLOCK;
    double[] partial = new double[blocks];
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      for (int b = b0; b < b1; b++) {
        int start = b * BLOCK;
        partial[b] = Vec.sumSquares64(a, o + start, Math.min(BLOCK, n - start));
      }
    });
    double s = 0;
    for (double p : partial) s += p;
    return s;
  }

  static void copy(CpuTensor src, CpuTensor dst) {
    float[] s = src.array(), d = dst.array();
    int so = src.offset(), dOff = dst.offset();
    // Overlapping windows of one array (shifting rows within a cache) must not run in parallel.
    if (src.overlaps(dst)) {
      System.arraycopy(s, so, d, dOff, src.length());
      return;
    }
    Parallel.forRange(src.length(), BLOCK * 4,
        (i0, i1) -> System.arraycopy(s, so + i0, d, dOff + i0, i1 - i0));
  }
}
