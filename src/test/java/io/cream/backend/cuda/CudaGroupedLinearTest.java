package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Linear layers sharing one input (q/k/v with biases, one of them null; the shape of gate/up),
 * forward and backward in one call, against the same layers called one by one on the same GPU:
 * bit-identical in every precision (in bf16 the shared input is rounded once instead of three
 * times, to the same bits). Then x is rewritten and the next call must use the new values (no
 * rounded copy outlives a call), and the fp32 results match the CPU backend.
 */
@Tag("gpu")
class CudaGroupedLinearTest {
  private static final int N = 160, IN = 192;
  private static final int[] OUTS = {256, 64, 64};

  private final Random seeds = new Random(20_261_128);

  private float[] random(int n, double std) {
    return toFloat(gaussian(seeds.nextLong(), n, std));
  }

  /** One set of layers and their gradients on a backend, built from the same host arrays. */
  private record Layers(Tensor x, Tensor[] w, Tensor[] b, Tensor[] y, Tensor[] dy, Tensor dx,
      Tensor[] dw, Tensor[] db) {}

  private Layers layers(Backend be, float[] x, float[][] w, float[][] b, float[][] dy) {
    int k = OUTS.length;
    Tensor[] tw = new Tensor[k], tb = new Tensor[k], ty = new Tensor[k], tdy = new Tensor[k];
    Tensor[] tdw = new Tensor[k], tdb = new Tensor[k];
    for (int i = 0; i < k; i++) {
      tw[i] = be.upload(w[i], OUTS[i], IN);
      tb[i] = b[i] == null ? null : be.upload(b[i], 1, OUTS[i]);
      ty[i] = be.zeros(N, OUTS[i]);
      tdy[i] = be.upload(dy[i], N, OUTS[i]);
      tdw[i] = be.zeros(OUTS[i], IN);
      tdb[i] = b[i] == null ? null : be.zeros(1, OUTS[i]);
    }
    return new Layers(be.upload(x, N, IN), tw, tb, ty, tdy, be.zeros(N, IN), tdw, tdb);
  }

  private static void grouped(Backend be, Layers l) {
    be.linear(l.x, l.w, l.b, l.y);
    be.linearBackward(l.dy, l.x, l.w, l.dx, false, l.dw, l.db);
  }

  private static void oneByOne(Backend be, Layers l) {
    for (int i = 0; i < OUTS.length; i++) be.linear(l.x, l.w[i], l.b[i], l.y[i]);
    for (int i = 0; i < OUTS.length; i++) {
      be.linearBackward(l.dy[i], l.x, l.w[i], l.dx, i > 0, l.dw[i], l.db[i]);
    }
  }

  private static float[][] results(Backend be, Layers l) {
    int k = OUTS.length;
    float[][] out = new float[3 * k + 1][];
    for (int i = 0; i < k; i++) {
      out[i] = be.download(l.y[i]);
      out[k + i] = be.download(l.dw[i]);
      out[2 * k + i] = l.db[i] == null ? new float[0] : be.download(l.db[i]);
    }
    out[3 * k] = be.download(l.dx);
    return out;
  }

  @ParameterizedTest
  @EnumSource(Precision.class)
  void groupedCallsEqualOneByOneAndSeeRewrittenInputs(Precision precision) {
    assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA: " + CudaBackend.unavailableReason());
    float[] x = random(N * IN, 1), x2 = random(N * IN, 1);
    float[][] w = new float[OUTS.length][], b = new float[OUTS.length][];
    float[][] dy = new float[OUTS.length][];
    for (int i = 0; i < OUTS.length; i++) {
      w[i] = random(OUTS[i] * IN, 0.1);
      b[i] = i == 1 ? null : random(OUTS[i], 1);
      dy[i] = random(N * OUTS[i], 1);
    }
    try (CudaBackend gpu = new CudaBackend(0, precision); CpuBackend cpu = new CpuBackend()) {
      Layers g = layers(gpu, x, w, b, dy), s = layers(gpu, x, w, b, dy);
      grouped(gpu, g);
      oneByOne(gpu, s);
      same(precision + " first call", results(gpu, s), results(gpu, g));
      gpu.write(g.x, x2); // the next grouped call must round the new x, not reuse a copy
      gpu.write(s.x, x2);
      grouped(gpu, g);
      oneByOne(gpu, s);
      same(precision + " after rewriting x", results(gpu, s), results(gpu, g));
      if (precision == Precision.FP32) {
        Layers c = layers(cpu, x, w, b, dy);
        grouped(cpu, c);
        cpu.write(c.x, x2);
        grouped(cpu, c);
        float[][] want = results(cpu, c), got = results(gpu, g);
        for (int i = 0; i < want.length; i++) {
          if (want[i].length == 0) continue; // the layer without a bias has no bias gradient
          double e = relErr(toDouble(got[i]), toDouble(want[i]));
          GpuReport.record("grouped linear fp32 vs CPU, output " + i, e, 1e-5);
          assertTrue(e <= 1e-5, "output " + i + ": GPU vs CPU relative error " + e);
        }
      }
    }
  }

  private static void same(String what, float[][] want, float[][] got) {
    for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], got[i], what + ", output " + i);
    GpuReport.record("grouped linear = one by one, " + what + " (exact)", 0, 0);
  }
}
