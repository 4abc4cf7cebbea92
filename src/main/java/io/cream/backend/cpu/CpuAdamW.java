package io.cream.backend.cpu;

import io.cream.backend.AdamWConfig;
import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;

/** One AdamW step, elementwise and vectorised, with {@link AdamWConfig#step}'s constants. */
final class CpuAdamW {
  private static final int GRAIN = 1 << 14;

  private CpuAdamW() {}

  static void step(CpuTensor param, CpuTensor grad, CpuTensor m, CpuTensor v,
      AdamWConfig cfg, long t) {
    float[] p = param.array(), g = grad.array(), ma = m.array(), va = v.array();
    int po = param.offset(), go = grad.offset(), mo = m.offset(), vo = v.offset();
    float b1 = cfg.beta1(), b2 = cfg.beta2(), eps = cfg.eps();
    AdamWConfig.Step s = cfg.step(t);
    float decay = s.decay(), stepSize = s.stepSize(), invSqrtBc2 = s.invSqrtBc2();
    Parallel.forRange(param.length(), GRAIN, (i0, i1) -> {
      int i = i0;
      for (int end = i0 + Vec.F.loopBound(i1 - i0); i < end; i += Vec.L) {
        FloatVector vg = FloatVector.fromArray(Vec.F, g, go + i);
        FloatVector vm = FloatVector.fromArray(Vec.F, ma, mo + i).mul(b1).add(vg.mul(1f - b1));
        FloatVector vv = FloatVector.fromArray(Vec.F, va, vo + i).mul(b2)
            .add(vg.mul(vg).mul(1f - b2));
        vm.intoArray(ma, mo + i);
        vv.intoArray(va, vo + i);
        FloatVector denom = vv.sqrt().mul(invSqrtBc2).add(eps);
        FloatVector.fromArray(Vec.F, p, po + i).mul(decay).sub(vm.mul(stepSize).div(denom))
            .intoArray(p, po + i);
      }
      for (; i < i1; i++) {
        float gi = g[go + i];
        float mi = ma[mo + i] * b1 + gi * (1f - b1);
        float vi = va[vo + i] * b2 + gi * gi * (1f - b2);
        ma[mo + i] = mi;
        va[vo + i] = vi;
        float denom = (float) Math.sqrt(vi) * invSqrtBc2 + eps;
        p[po + i] = p[po + i] * decay - stepSize * mi / denom;
      }
    });
  }
}
