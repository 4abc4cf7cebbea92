package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The linear layer in {@link Precision#BF16} against the CPU backend, twice: (1) the CPU on the
 * operands rounded to bf16 in Java ({@link Bf16Reference}): bf16 × bf16 products are exact in
 * fp32, so only the fp32 summation order differs, tolerance 1e-5; (2) the CPU on the original
 * operands: the bf16 error itself, at most 1e-2 and at least 5e-4. The lower bound makes the test
 * fail if the rounding does not happen: fp32 products land near 3e-7 and TF32 near 3e-4, bf16
 * (8 significant bits against TF32's 11) near 2e-3. Biases and their gradient stay fp32 (1e-5).
 * Then the weight is changed by write and by AdamW, and the next product must use the new values.
 */
@Tag("gpu")
class CudaBf16LinearTest {
  private static final double SAME = 1e-5, BF16_MAX = 1e-2, BF16_MIN = 5e-4;
  private static final int N = 192, IN = 320, OUT = 256;

  private final Random seeds = new Random(20_261_127);
  private final CpuBackend cpu = new CpuBackend();

  private float[] random(int n, double std) {
    return toFloat(gaussian(seeds.nextLong(), n, std));
  }

  @Test
  void forwardAndBackwardMultiplyBf16Operands() {
    try (CudaBackend gpu = bf16Backend()) {
      float[] x = random(N * IN, 1), w = random(OUT * IN, 0.1), b = random(OUT, 1);
      float[] dy = random(N * OUT, 1), dw0 = random(OUT * IN, 1), db0 = random(OUT, 1);
      Tensor gx = gpu.upload(x, N, IN), gw = gpu.upload(w, OUT, IN), gb = gpu.upload(b, 1, OUT);
      Tensor gy = gpu.zeros(N, OUT);
      gpu.linear(gx, gw, gb, gy);
      float[] y = gpu.download(gy);
      Tensor gdy = gpu.upload(dy, N, OUT), gdx = gpu.zeros(N, IN);
      Tensor gdw = gpu.upload(dw0, OUT, IN), gdb = gpu.upload(db0, 1, OUT);
      gpu.linearBackward(gdy, gx, gw, gdx, false, gdw, gdb);

      Cpu exact = new Cpu(x, w, b, dy, dw0, db0);
      Cpu rounded = new Cpu(Bf16Reference.rounded(x), Bf16Reference.rounded(w), b,
          Bf16Reference.rounded(dy), dw0, db0);
      bf16("linear bf16 y", y, rounded.y, exact.y);
      bf16("linear bf16 dx", gpu.download(gdx), rounded.dx, exact.dx);
      bf16("linear bf16 dW (accumulated)", gpu.download(gdw), rounded.dw, exact.dw);
      check("linear bf16 dBias (fp32, accumulated)", gpu.download(gdb), exact.db, SAME);
    }
  }

  @Test
  void anUpdatedWeightIsSeenByTheNextProduct() {
    try (CudaBackend gpu = bf16Backend()) {
      float[] x = random(N * IN, 1), w = random(OUT * IN, 0.1);
      Tensor gx = gpu.upload(x, N, IN), gw = gpu.upload(w, OUT, IN), gy = gpu.zeros(N, OUT);
      gpu.linear(gx, gw, null, gy);
      check("linear bf16 y, first weight", gpu.download(gy), forward(x, w), SAME);

      float[] w2 = random(OUT * IN, 0.1);
      gpu.write(gw, w2);
      gpu.linear(gx, gw, null, gy);
      check("linear bf16 y after write", gpu.download(gy), forward(x, w2), SAME);

      Tensor g = gpu.upload(random(OUT * IN, 1), OUT, IN);
      Tensor m = gpu.zeros(OUT, IN), v = gpu.zeros(OUT, IN);
      gpu.adamW(gw, g, m, v, new AdamWConfig(0.05f, 0.9f, 0.95f, 1e-8f, 0f), 1);
      float[] w3 = gpu.download(gw);
      gpu.linear(gx, gw, null, gy);
      check("linear bf16 y after AdamW", gpu.download(gy), forward(x, w3), SAME);
    }
  }

  /** A BF16 backend on GPU 0; skips the test where CUDA is unavailable (CI). */
  static CudaBackend bf16Backend() {
    assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA: " + CudaBackend.unavailableReason());
    return new CudaBackend(0, Precision.BF16);
  }

  /** The CPU product over the operands rounded to bf16. */
  private float[] forward(float[] x, float[] w) {
    Tensor cy = cpu.zeros(N, OUT);
    cpu.linear(cpu.upload(Bf16Reference.rounded(x), N, IN),
        cpu.upload(Bf16Reference.rounded(w), OUT, IN), null, cy);
    return cpu.download(cy);
  }

  /** The CPU backend's forward and backward on the given operands. */
  private final class Cpu {
    final float[] y, dx, dw, db;

    Cpu(float[] x, float[] w, float[] b, float[] dy, float[] dw0, float[] db0) {
      Tensor cx = cpu.upload(x, N, IN), cw = cpu.upload(w, OUT, IN), cb = cpu.upload(b, 1, OUT);
      Tensor cy = cpu.zeros(N, OUT);
      cpu.linear(cx, cw, cb, cy);
      Tensor cdx = cpu.zeros(N, IN), cdw = cpu.upload(dw0, OUT, IN), cdb = cpu.upload(db0, 1, OUT);
      cpu.linearBackward(cpu.upload(dy, N, OUT), cx, cw, cdx, false, cdw, cdb);
      y = cpu.download(cy);
      dx = cpu.download(cdx);
      dw = cpu.download(cdw);
      db = cpu.download(cdb);
    }
  }

  private static void bf16(String what, float[] gpu, float[] rounded, float[] exact) {
    check(what + " vs CPU on bf16 operands", gpu, rounded, SAME);
    double e = relErr(toDouble(gpu), toDouble(exact));
    GpuReport.record(what + " vs CPU fp32", e, BF16_MAX);
    assertTrue(e <= BF16_MAX, what + ": relative error " + e + " vs fp32 exceeds " + BF16_MAX);
    assertTrue(e >= BF16_MIN, what + ": relative error " + e + " vs fp32 is below " + BF16_MIN
        + ": the operands were not rounded to bf16");
  }

  private static void check(String what, float[] got, float[] want, double tol) {
    double e = relErr(toDouble(got), toDouble(want));
    GpuReport.record(what, e, tol);
    assertTrue(e <= tol, what + ": relative error " + e + " exceeds " + tol);
  }
}
