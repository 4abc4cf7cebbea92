package io.cream.backend.cpu;

import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * Rotary position embedding, rotate-half layout, in place. Each row has its own cos/sin table row
 * (the caller builds them in float64 from arbitrary position ids). Backward applies the transpose
 * of each 2×2 block [[c, −s], [s, c]], i.e. the same rotation with sin negated; that stays exact
 * when cos and sin carry an attention factor (then the block is a scaled rotation).
 */
final class CpuRope {
  private CpuRope() {}

  /** Rotates every head of x [n × heads·headDim]; sign = +1 forward, −1 for the transpose. */
  static void apply(CpuTensor x, CpuTensor cos, CpuTensor sin, int headDim, float sign) {
    int half = headDim / 2;
    int cols = x.cols();
    int heads = cols / headDim;
    float[] xa = x.array(), ca = cos.array(), sa = sin.array();
    int xo = x.offset(), co = cos.offset(), so = sin.offset();
    Parallel.forRange(x.rows(), 16, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int cr = co + r * half, sr = so + r * half;
        for (int h = 0; h < heads; h++) {
          int lo = xo + r * cols + h * headDim, hi = lo + half;
          int i = 0;
          for (int end = Vec.F.loopBound(half); i < end; i += Vec.L) {
            FloatVector c = FloatVector.fromArray(Vec.F, ca, cr + i);
            FloatVector s = FloatVector.fromArray(Vec.F, sa, sr + i).mul(sign);
            FloatVector a = FloatVector.fromArray(Vec.F, xa, lo + i);
            FloatVector b = FloatVector.fromArray(Vec.F, xa, hi + i);
            a.mul(c).sub(b.mul(s)).intoArray(xa, lo + i);
            b.mul(c).add(a.mul(s)).intoArray(xa, hi + i);
          }
          for (; i < half; i++) {
            float c = ca[cr + i], s = sign * sa[sr + i];
            float a = xa[lo + i], b = xa[hi + i];
            xa[lo + i] = a * c - b * s;
            xa[hi + i] = b * c + a * s;
          }
        }
      }
    });
  }
}
