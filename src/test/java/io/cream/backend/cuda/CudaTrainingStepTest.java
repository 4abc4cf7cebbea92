package io.cream.backend.cuda;

import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A whole training step of a one-layer model ({@link TinyLayerStep}) on the GPU against the same
 * step on the CPU: loss, every gradient, the gradient norm and every updated parameter. Both
 * sides are float32 with different summation orders; differences of ~1e-7 per op grow through
 * the ~40 ops of the chain to ~1e-6 (measured on an H200), so gradients are held to 1e-5 and the
 * loss to 1e-6, which a wrong index, flag or aliasing misses by orders of magnitude. Parameters
 * are compared by their displacement after one AdamW step (a smooth function of the gradient
 * there, see TinyLayerStep; ~1e-5 measured), to 1e-4.
 */
@Tag("gpu")
class CudaTrainingStepTest {
  @Test
  void oneLayerStepMatchesTheCpu() {
    TinyLayerStep.Result gpu;
    try (CudaBackend be = CudaTests.backend()) {
      gpu = TinyLayerStep.run(be, 77);
    }
    TinyLayerStep.Result cpu = TinyLayerStep.run(new CpuBackend(), 77);
    assertEquals(cpu.loss().count(), gpu.loss().count());
    double lossErr = Math.abs(gpu.loss().sum() - cpu.loss().sum()) / Math.abs(cpu.loss().sum());
    GpuReport.record("step loss", lossErr, 1e-6);
    assertTrue(lossErr <= 1e-6, "loss " + gpu.loss().sum() + " vs CPU " + cpu.loss().sum());
    double normErr = Math.abs(gpu.gradNorm() - cpu.gradNorm()) / cpu.gradNorm();
    GpuReport.record("step gradient norm", normErr, 1e-5);
    assertTrue(normErr <= 1e-5, "gradient norm " + gpu.gradNorm() + " vs " + cpu.gradNorm());
    for (String name : cpu.grads().keySet()) {
      double e = relErr(toDouble(gpu.grads().get(name)), toDouble(cpu.grads().get(name)));
      GpuReport.record("step grad " + name, e, 1e-5);
      assertTrue(e <= 1e-5, "gradient of " + name + ": relative error " + e);
    }
    for (String name : cpu.params().keySet()) {
      float[] p0 = cpu.initial().get(name);
      double[] dg = toDouble(gpu.params().get(name)), dc = toDouble(cpu.params().get(name));
      for (int i = 0; i < p0.length; i++) {
        dg[i] -= p0[i];
        dc[i] -= p0[i];
      }
      double e = relErr(dg, dc);
      GpuReport.record("step update " + name, e, 1e-4);
      assertTrue(e <= 1e-4, "update of " + name + ": relative error " + e);
    }
  }
}
