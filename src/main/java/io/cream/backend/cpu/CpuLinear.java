package io.cream.backend.cpu;

import io.cream.util.Parallel;

/**
 * Linear layer y = x·Wᵀ (+ b), W in Hugging Face layout [out × in]; the products go to
 * {@link Gemm}. Backward: dX = dY·W, dW += dYᵀ·X, db += column sums of dY (double, split by
 * columns so workers never share an output).
 */
final class CpuLinear {
  private static final int COLUMN_BLOCK = 256;

  private CpuLinear() {}

  static void forward(CpuTensor x, CpuTensor w, CpuTensor bias, CpuTensor y) {
    int n = x.rows(), in = x.cols(), out = w.rows();
    Gemm.gemm(false, true, n, out, in, x.array(), x.offset(), in, w.array(), w.offset(), in,
        y.array(), y.offset(), out, false);
    if (bias != null) {
      float[] ya = y.array(), ba = bias.array();
      int yo = y.offset(), bo = bias.offset();
      Parallel.forRange(n, 16, (r0, r1) -> {
        for (int r = r0; r < r1; r++) Vec.add(ya, yo + r * out, ba, bo, out);
      });
    }
  }

  static void backward(CpuTensor dy, CpuTensor x, CpuTensor w,
      CpuTensor dx, boolean accumulateDx, CpuTensor dw, CpuTensor dBias) {
    int n = x.rows(), in = x.cols(), out = w.rows();
    if (dx != null) {
      Gemm.gemm(false, false, n, in, out, dy.array(), dy.offset(), out, w.array(), w.offset(), in,
          dx.array(), dx.offset(), in, accumulateDx);
    }
    if (dw != null) {
      Gemm.gemm(true, false, out, in, n, dy.array(), dy.offset(), out, x.array(), x.offset(), in,
          dw.array(), dw.offset(), in, true);
    }
    if (dBias != null) columnSums(dy, dBias);
  }

  /** dst[0, c] += Σ_r src[r, c], in double. */
  static void columnSums(CpuTensor src, CpuTensor dst) {
    int rows = src.rows(), c = src.cols();
    float[] sa = src.array(), da = dst.array();
    int so = src.offset(), dOff = dst.offset();
    int blocks = (c + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      double[] acc = new double[COLUMN_BLOCK];
      for (int blk = b0; blk < b1; blk++) {
        int c0 = blk * COLUMN_BLOCK;
        int cn = Math.min(COLUMN_BLOCK, c - c0);
        java.util.Arrays.fill(acc, 0.0);
        for (int r = 0; r < rows; r++) {
          int si = so + r * c + c0;
          for (int i = 0; i < cn; i++) acc[i] += sa[si + i];
        }
        for (int i = 0; i < cn; i++) da[dOff + c0 + i] += (float) acc[i];
      }
    });
  }
}
