package io.cream.backend.cpu;

import io.cream.backend.AdamWConfig;
import io.cream.backend.HostFloats;

/**
 * AdamW on values in host memory ({@link HostFloats}), vectorised and run on the CPU's
 * workers ({@link AdamWUpdate}, the loop CPU tensors use too): the optimizer step of a run whose
 * master weights and moments live off the device ({@code --offload optimizer}). The gradient is
 * multiplied by the clip factor first, as {@code Backend.scale} multiplies it, so its results are
 * bit-identical to a step on the device.
 */
public final class HostAdamW {
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
    AdamWUpdate.run(p.segment(), m.segment(), v.segment(), g.segment(),
        out == null ? null : out.segment(), n, cfg, t, gradScale);
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
