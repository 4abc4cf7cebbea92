package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.ClipAndAdamWOpTest;
import io.cream.backend.TestData;
import io.cream.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The shared clip + AdamW tests on the GPU (one multi-tensor pass for the norm, AdamW reading the
 * clip scale from device memory), plus the CPU backend's step and run-to-run determinism.
 */
@Tag("gpu")
class CudaClipAndAdamWTest extends ClipAndAdamWOpTest {
  private final AdamWConfig cfg = new AdamWConfig(3e-3f, 0.9f, 0.999f, 1e-8f, 0.01f);

  @Override
  protected Backend backend() {
    return CudaTests.backend();
  }

  @AfterEach
  void closeBackend() {
    if (be != null) be.close();
  }

  @Test
  void sameStepsAsTheCpuBackend() {
    Backend gpuSide = be;
    State gpu = new State(7);
    float[][] cpuResult;
    double[] cpuNorms = new double[3];
    try (CpuBackend cpu = new CpuBackend()) {
      be = cpu;
      State onCpu = new State(7);
      for (int t = 1; t <= 3; t++) {
        onCpu.gradients(70L * t, 0.2 * t);
        cpuNorms[t - 1] = cpu.clipAndAdamW(onCpu.p, onCpu.g, onCpu.m, onCpu.v, cfg, t, 20.0);
      }
      cpuResult = onCpu.snapshot();
    } finally {
      be = gpuSide;
    }
    for (int t = 1; t <= 3; t++) {
      gpu.gradients(70L * t, 0.2 * t);
      double norm = be.clipAndAdamW(gpu.p, gpu.g, gpu.m, gpu.v, cfg, t, 20.0);
      double e = Math.abs(norm - cpuNorms[t - 1]) / cpuNorms[t - 1];
      GpuReport.record("clipAndAdamW norm, step " + t, e, 1e-12);
      assertTrue(e <= 1e-12, "norm " + norm + " vs CPU " + cpuNorms[t - 1]);
    }
    float[][] got = gpu.snapshot();
    for (int i = 0; i < got.length; i++) {
      double e = TestData.relErr(TestData.toDouble(got[i]), TestData.toDouble(cpuResult[i]));
      String what = "clipAndAdamW " + "pmv".charAt(i % 3) + " of tensor " + i / 3;
      GpuReport.record(what, e, 1e-6);
      assertTrue(e <= 1e-6, what + ": GPU vs CPU relative error " + e);
    }
  }

  @Test
  void twoRunsAreBitIdentical() {
    float[][] first = null;
    double firstNorm = 0;
    for (int run = 0; run < 2; run++) {
      State s = new State(8);
      double norm = 0;
      for (int t = 1; t <= 2; t++) {
        s.gradients(80L * t, 0.5);
        norm = be.clipAndAdamW(s.p, s.g, s.m, s.v, cfg, t, 1.0);
      }
      float[][] now = s.snapshot();
      if (first == null) {
        first = now;
        firstNorm = norm;
      } else {
        assertEquals(firstNorm, norm, 0.0, "norm, run 2");
        for (int i = 0; i < now.length; i++) assertArrayEquals(first[i], now[i], "run 2, " + i);
      }
    }
  }
}
