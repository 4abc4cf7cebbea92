package io.cream.backend.cpu;

import io.cream.util.Parallel;
import io.cream.backend.AdamWConfig;
import io.cream.backend.HostFloats;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * AdamW on values in host memory ({@link HostFloats}), vectorised and run on {@link Parallel}'s
 * workers: the optimizer step of a run whose master weights and moments live off the device
 * ({@code --offload optimizer}). Elementwise it performs the float operations of {@link CpuAdamW}
 * (and of the CUDA kernels) in the same order, after the gradient is multiplied by the clip
 * factor as {@code Backend.scale} multiplies it, so its results are bit-identical to theirs.
 */
public final class HostAdamW {
  private static final int GRAIN = 1 << 14;
  private static final ByteOrder ORDER = ByteOrder.nativeOrder();
  /** Elements per Parallel.forRange call (its ranges are ints). */
  private static final long BLOCK = 1L << 30;

  private HostAdamW() {}

  /**
   * One AdamW step at step t ≥ 1 on the first n values of p, m and v (updated in place) with the
   * gradient g[0, n) times gradScale (a clip factor; exactly g when it is 1), writing the new
   * weights to out[0, n) as well when out is not null (the buffer they are uploaded from).
   */
  public static void step(HostFloats p, HostFloats m, HostFloats v, HostFloats g, HostFloats out,
      long n, AdamWConfig cfg, long t, float gradScale) {
    for (HostFloats h : new HostFloats[] {p, m, v, g, out}) {
      if (h != null && h.count() < n) {
        throw new IllegalArgumentException("HostAdamW: " + n + " values asked of " + h);
      }
    }
    if (t < 1) throw new IllegalArgumentException("HostAdamW: step t counts from 1, got " + t);
    MemorySegment ps = p.segment(), ms = m.segment(), vs = v.segment(), gs = g.segment();
    MemorySegment os = out == null ? null : out.segment();
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
          FloatVector vg = FloatVector.fromMemorySegment(Vec.F, gs, at, ORDER);
          if (scaled) vg = vg.mul(gradScale);
          FloatVector vm = FloatVector.fromMemorySegment(Vec.F, ms, at, ORDER).mul(b1)
              .add(vg.mul(1f - b1));
          FloatVector vv = FloatVector.fromMemorySegment(Vec.F, vs, at, ORDER).mul(b2)
              .add(vg.mul(vg).mul(1f - b2));
          vm.intoMemorySegment(ms, at, ORDER);
          vv.intoMemorySegment(vs, at, ORDER);
          FloatVector denom = vv.sqrt().mul(invSqrtBc2).add(eps);
          FloatVector np = FloatVector.fromMemorySegment(Vec.F, ps, at, ORDER).mul(decay)
              .sub(vm.mul(stepSize).div(denom));
          np.intoMemorySegment(ps, at, ORDER);
          if (os != null) np.intoMemorySegment(os, at, ORDER);
        }
        for (; i < stop; i++) {
          float gi = g.get(i);
          if (scaled) gi = gi * gradScale;
          float mi = m.get(i) * b1 + gi * (1f - b1);
          float vi = v.get(i) * b2 + gi * gi * (1f - b2);
          m.set(i, mi);
          v.set(i, vi);
          float denom = (float) Math.sqrt(vi) * invSqrtBc2 + eps;
          float pi = p.get(i) * decay - stepSize * mi / denom;
          p.set(i, pi);
          if (out != null) out.set(i, pi);
        }
      });
    }
  }

  /** Σ x² over the first n values, in double (a digest of master weights; fixed order). */
  public static double sumOfSquares(HostFloats x, long n) {
    double s = 0;
    for (long i = 0; i < n; i++) {
      double d = x.get(i);
      s += d * d;
    }
    return s;
  }
}
