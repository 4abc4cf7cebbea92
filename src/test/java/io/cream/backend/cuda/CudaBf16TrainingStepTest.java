package io.cream.backend.cuda;

import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The one-layer training step of {@link TinyLayerStep} with {@link Precision#BF16} on the GPU
 * against the float32 CPU backend. The CPU backend with only its linear operands rounded to bf16
 * (an emulation, seeds 77 and 78) differs from plain fp32 by 2e-5 in the loss, 4e-4 in the
 * gradient norm and 2e-3..7e-3 per gradient and per update; bf16 attention operands add errors of
 * the same size. Tolerances: loss 1e-3, norm 5e-3, each gradient and update 2e-2. And the errors
 * must be bf16-sized, not fp32-sized (~1e-6): all gradients together at least 1e-4 off.
 */
@Tag("gpu")
class CudaBf16TrainingStepTest {
  @Test
  void oneLayerStepInBf16StaysNearTheFp32Cpu() {
    TinyLayerStep.Result gpu;
    try (CudaBackend be = CudaBf16LinearTest.bf16Backend()) {
      gpu = TinyLayerStep.run(be, 77);
    }
    TinyLayerStep.Result cpu = TinyLayerStep.run(new CpuBackend(), 77);
    assertEquals(cpu.loss().count(), gpu.loss().count());
    within("bf16 step loss", Math.abs(gpu.loss().sum() - cpu.loss().sum())
        / Math.abs(cpu.loss().sum()), 1e-3);
    within("bf16 step gradient norm", Math.abs(gpu.gradNorm() - cpu.gradNorm()) / cpu.gradNorm(),
        5e-3);
    List<Double> gpuAll = new ArrayList<>(), cpuAll = new ArrayList<>();
    for (String name : cpu.grads().keySet()) {
      float[] g = gpu.grads().get(name), c = cpu.grads().get(name);
      within("bf16 step grad " + name, relErr(toDouble(g), toDouble(c)), 2e-2);
      for (int i = 0; i < c.length; i++) {
        gpuAll.add((double) g[i]);
        cpuAll.add((double) c[i]);
      }
    }
    double all = relErr(gpuAll.stream().mapToDouble(d -> d).toArray(),
        cpuAll.stream().mapToDouble(d -> d).toArray());
    within("bf16 step all gradients", all, 2e-2);
    assertTrue(all >= 1e-4, "all gradients differ from fp32 by only " + all
        + ": the step did not run in bf16");
    for (String name : cpu.params().keySet()) {
      float[] p0 = cpu.initial().get(name);
      double[] dg = toDouble(gpu.params().get(name)), dc = toDouble(cpu.params().get(name));
      for (int i = 0; i < p0.length; i++) {
        dg[i] -= p0[i];
        dc[i] -= p0[i];
      }
      within("bf16 step update " + name, relErr(dg, dc), 2e-2);
    }
  }

  private static void within(String what, double err, double tol) {
    GpuReport.record(what, err, tol);
    assertTrue(err <= tol, what + ": relative error " + err + " exceeds " + tol);
  }
}
