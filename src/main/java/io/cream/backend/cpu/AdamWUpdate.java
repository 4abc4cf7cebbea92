package io.cream.backend.cpu;

import io.cream.backend.AdamWConfig;
import io.cream.util.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The one AdamW loop of the CPU engine, over float segments (heap arrays for {@link CpuAdamW},
 * native host memory for {@link HostAdamW}): vectorised, on {@link Parallel}'s workers, with
 * {@link AdamWConfig#step}'s constants and the float operations in the order the CUDA kernels use,
 * so every path gives the same bits.
 */
final class AdamWUpdate {
  private static final int GRAIN = 1 << 14;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
  /** Elements per Parallel.forRange call (its ranges are ints). */
  private static final long BLOCK = 1L << 30;

  private AdamWUpdate() {}

  /**
   * One step at t ≥ 1 on the first n floats of p, m and v (updated in place) with the gradient g
   * times gradScale (exactly g when it is 1); the new weights also go to out unless it is null.
   */
  static void run(MemorySegment p, MemorySegment m, MemorySegment v, MemorySegment g,
      MemorySegment out, long n, AdamWConfig cfg, long t, float gradScale) {
    float b1 = cfg.beta1(), b2 = cfg.beta2(), eps = cfg.eps();
    AdamWConfig.Step s = cfg.step(t);
    float decay = s.decay(), stepSize = s.stepSize(), invSqrtBc2 = s.invSqrtBc2();
    boolean scaled = gradScale != 1f;
    for (long base = 0; base < n; base += BLOCK) {
      long first = base;
      int count = (int) Math.min(BLOCK, n - base);
      Parallel.forRange(count, GRAIN, (i0, i1) -> {
        long i = first + i0;
        long stop = first + i1;
        for (long end = i + Vec.F.loopBound(i1 - i0); i < end; i += Vec.L) {
          long at = i * Float.BYTES;
          FloatVector vg = FloatVector.fromMemorySegment(Vec.F, g, at, ORDER);
          if (scaled) vg = vg.mul(gradScale);
          FloatVector vm = FloatVector.fromMemorySegment(Vec.F, m, at, ORDER).mul(b1)
              .add(vg.mul(1f - b1));
          FloatVector vv = FloatVector.fromMemorySegment(Vec.F, v, at, ORDER).mul(b2)
              .add(vg.mul(vg).mul(1f - b2));
          vm.intoMemorySegment(m, at, ORDER);
          vv.intoMemorySegment(v, at, ORDER);
          FloatVector denom = vv.sqrt().mul(invSqrtBc2).add(eps);
          FloatVector np = FloatVector.fromMemorySegment(Vec.F, p, at, ORDER).mul(decay)
              .sub(vm.mul(stepSize).div(denom));
          np.intoMemorySegment(p, at, ORDER);
          if (out != null) np.intoMemorySegment(out, at, ORDER);
        }
        for (; i < stop; i++) {
          float gi = g.getAtIndex(FLOAT, i);
          if (scaled) gi = gi * gradScale;
          float mi = m.getAtIndex(FLOAT, i) * b1 + gi * (1f - b1);
          float vi = v.getAtIndex(FLOAT, i) * b2 + gi * gi * (1f - b2);
          m.setAtIndex(FLOAT, i, mi);
          v.setAtIndex(FLOAT, i, vi);
          float denom = (float) Math.sqrt(vi) * invSqrtBc2 + eps;
          float pi = p.getAtIndex(FLOAT, i) * decay - stepSize * mi / denom;
          p.setAtIndex(FLOAT, i, pi);
          if (out != null) out.setAtIndex(FLOAT, i, pi);
        }
      });
    }
  }
}
