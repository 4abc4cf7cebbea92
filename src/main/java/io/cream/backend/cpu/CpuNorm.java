package io.cream.backend.cpu;

import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * RMSNorm: y = x·r·w with r = 1/√(mean(x²) + eps) per row (mean in double). Backward, with
 * g = dy∘w: dx = r·g − x·r³·(g·x)/C, and dw = Σ_rows dy∘x·r. The weight gradient is a column sum,
 * computed in a second pass split by columns so no two workers write the same element.
 */
final class CpuNorm {
  /** Columns per worker in the weight-gradient pass; fits in L1 as double accumulators. */
  private static final int COLUMN_BLOCK = 256;

  private CpuNorm() {}

  static void forward(CpuTensor x, CpuTensor w, float eps, CpuTensor y, CpuTensor rstd) {
    int c = x.cols();
    float[] xa = x.array(), wa = w.array(), ya = y.array(), ra = rstd.array();
    int xo = x.offset(), wo = w.offset(), yo = y.offset(), ro = rstd.offset();
    Parallel.forRange(x.rows(), 4, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int xi = xo + r * c, yi = yo + r * c;
        float inv = (float) (1.0 / Math.sqrt(Vec.sumSquares64(xa, xi, c) / c + eps));
        ra[ro + r] = inv;
        int i = 0;
        for (int end = Vec.F.loopBound(c); i < end; i += Vec.L) {
          FloatVector.fromArray(Vec.F, xa, xi + i).mul(inv)
              .mul(FloatVector.fromArray(Vec.F, wa, wo + i)).intoArray(ya, yi + i);
        }
        for (; i < c; i++) ya[yi + i] = xa[xi + i] * inv * wa[wo + i];
      }
    });
  }

  static void backward(CpuTensor dy, CpuTensor x, CpuTensor w, CpuTensor rstd,
      CpuTensor dx, boolean accumulateDx, CpuTensor dw) {
    int c = x.cols();
    int rows = x.rows();
    float[] dya = dy.array(), xa = x.array(), wa = w.array(), ra = rstd.array();
    int dyo = dy.offset(), xo = x.offset(), wo = w.offset(), ro = rstd.offset();
    if (dx != null) {
      float[] dxa = dx.array();
      int dxo = dx.offset();
      Parallel.forRange(rows, 4, (r0, r1) -> {
        float[] g = new float[c];
        for (int r = r0; r < r1; r++) {
          int xi = xo + r * c, dyi = dyo + r * c, dxi = dxo + r * c;
          for (int i = 0; i < c; i++) g[i] = dya[dyi + i] * wa[wo + i];
          double inv = ra[ro + r];
          double gx = Vec.dot64(g, 0, xa, xi, c);
          float a = (float) inv;
          float bcoef = (float) (inv * inv * inv * gx / c);
          for (int i = 0; i < c; i++) {
            float v = a * g[i] - bcoef * xa[xi + i];
            dxa[dxi + i] = accumulateDx ? dxa[dxi + i] + v : v;
          }
        }
      });
    }
    if (dw != null) {
      float[] dwa = dw.array();
      int dwo = dw.offset();
      int blocks = (c + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
      Parallel.forRange(blocks, 1, (b0, b1) -> {
        double[] acc = new double[COLUMN_BLOCK];
        for (int blk = b0; blk < b1; blk++) {
          int c0 = blk * COLUMN_BLOCK;
          int cn = Math.min(COLUMN_BLOCK, c - c0);
          java.util.Arrays.fill(acc, 0.0);
          for (int r = 0; r < rows; r++) {
            double inv = ra[ro + r];
            int xi = xo + r * c + c0, dyi = dyo + r * c + c0;
            for (int i = 0; i < cn; i++) acc[i] += (double) dya[dyi + i] * xa[xi + i] * inv;
          }
          for (int i = 0; i < cn; i++) dwa[dwo + c0 + i] += (float) acc[i];
        }
      });
    }
  }
}
