package io.cream.backend.cpu;

import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * SwiGLU gate of the Llama MLP: out = silu(g)·u with silu(g) = g·σ(g). Backward with s = σ(g):
 * dg = dout·u·s·(1 + g·(1 − s)), du = dout·g·s. σ(g) = 1/(1 + e^−g) saturates cleanly to 0 or 1.
 */
final class CpuSwiGlu {
  private static final int GRAIN = 1 << 14;

  private CpuSwiGlu() {}

  static void forward(CpuTensor gate, CpuTensor up, CpuTensor out) {
    float[] g = gate.array(), u = up.array(), o = out.array();
    int go = gate.offset(), uo = up.offset(), oo = out.offset();
    Parallel.forRange(gate.length(), GRAIN, (i0, i1) -> {
      int i = i0;
      for (int end = i0 + Vec.F.loopBound(i1 - i0); i < end; i += Vec.L) {
        FloatVector vg = FloatVector.fromArray(Vec.F, g, go + i);
        FloatVector s = sigmoid(vg);
        vg.mul(s).mul(FloatVector.fromArray(Vec.F, u, uo + i)).intoArray(o, oo + i);
      }
      for (; i < i1; i++) {
        float x = g[go + i];
        o[oo + i] = x * sigmoid(x) * u[uo + i];
      }
    });
  }

  static void backward(CpuTensor dOut, CpuTensor gate, CpuTensor up,
      CpuTensor dGate, CpuTensor dUp) {
    float[] d = dOut.array(), g = gate.array(), u = up.array();
    float[] dg = dGate.array(), du = dUp.array();
    int doff = dOut.offset(), go = gate.offset(), uo = up.offset();
    int dgo = dGate.offset(), duo = dUp.offset();
    Parallel.forRange(gate.length(), GRAIN, (i0, i1) -> {
      int i = i0;
      for (int end = i0 + Vec.F.loopBound(i1 - i0); i < end; i += Vec.L) {
        FloatVector vd = FloatVector.fromArray(Vec.F, d, doff + i);
        FloatVector vg = FloatVector.fromArray(Vec.F, g, go + i);
        FloatVector vu = FloatVector.fromArray(Vec.F, u, uo + i);
        FloatVector s = sigmoid(vg);
        FloatVector dsilu = s.mul(vg.mul(s.neg().add(1f)).add(1f));
        vd.mul(vu).mul(dsilu).intoArray(dg, dgo + i);
        vd.mul(vg).mul(s).intoArray(du, duo + i);
      }
      for (; i < i1; i++) {
        float x = g[go + i], s = sigmoid(x);
        dg[dgo + i] = d[doff + i] * u[uo + i] * s * (1f + x * (1f - s));
        du[duo + i] = d[doff + i] * x * s;
      }
    });
  }

  private static FloatVector sigmoid(FloatVector x) {
    return FloatVector.broadcast(Vec.F, 1f).div(Lanes.exp(x.neg()).add(1f));
  }

  private static float sigmoid(float x) {
    return (float) (1.0 / (1.0 + Math.exp(-x)));
  }
}
