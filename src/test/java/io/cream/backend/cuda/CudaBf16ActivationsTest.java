package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bf16 activations of {@link Precision#BF16} ({@link CudaBackend#matmulInput}) against the CPU
 * backend's float32 results: RMSNorm and SwiGLU writing bf16 must hold the CPU's output rounded to
 * bf16 (each element within one bf16 step of it: the fp32 value before rounding may differ in its
 * last bit), and must really be rounded (5e-4 ≤ error vs fp32 ≤ 3e-3, bf16 keeps 8 bits); linear
 * layers reading a bf16 x forward and backward must match the CPU on bf16-rounded operands
 * (1e-5, as in {@link CudaBf16LinearTest}). SwiGLU's backward writing bf16 dGate, dUp must hold
 * exactly its float32 results rounded to nearest even, and linear backward reading them must give
 * what it gives from the float32 source (it rounds that to the same bf16 values). Other ops refuse
 * a bf16 tensor, and outside bf16 mode matmulInput is plain float32.
 */
@Tag("gpu")
class CudaBf16ActivationsTest {
  private static final double SAME = 1e-5, BF16_MAX = 3e-3, BF16_MIN = 5e-4;
  private static final int N = 192, C = 320, OUT = 256;

  private final Random seeds = new Random(20_261_126);
  private final CpuBackend cpu = new CpuBackend();

  private float[] random(int n, double std, double mean) {
    float[] x = toFloat(gaussian(seeds.nextLong(), n, std));
    for (int i = 0; i < n; i++) x[i] += (float) mean;
    return x;
  }

  @Test
  void rmsNormWritesTheCpuResultRoundedToBf16() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      float[] x = random(N * C, 1.5, 0.2), w = random(C, 0.1, 1);
      Tensor out = gpu.matmulInput(N, C), rstd = gpu.zeros(N, 1);
      gpu.rmsNorm(gpu.upload(x, N, C), gpu.upload(w, 1, C), 1e-5f, out, rstd);
      Tensor cOut = cpu.zeros(N, C), cRstd = cpu.zeros(N, 1);
      cpu.rmsNorm(cpu.upload(x, N, C), cpu.upload(w, 1, C), 1e-5f, cOut, cRstd);
      roundedLike("rmsNorm bf16 out", gpu.download(out), cpu.download(cOut));
      check("rmsNorm rstd (fp32) beside a bf16 out", gpu.download(rstd), cpu.download(cRstd),
          SAME);
    }
  }

  @Test
  void swigluWritesTheCpuResultRoundedToBf16() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      // odd length: the 16-byte loop and the element tail both run
      int rows = 37, cols = 211;
      float[] g = random(rows * cols, 2, 0), u = random(rows * cols, 1, 0.1);
      Tensor out = gpu.matmulInput(rows, cols);
      gpu.swiglu(gpu.upload(g, rows, cols), gpu.upload(u, rows, cols), out);
      Tensor cOut = cpu.zeros(rows, cols);
      cpu.swiglu(cpu.upload(g, rows, cols), cpu.upload(u, rows, cols), cOut);
      roundedLike("swiglu bf16 out", gpu.download(out), cpu.download(cOut));
    }
  }

  @Test
  void swigluBackwardWritesBf16GradientsThatLinearBackwardReads() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      int rows = 37, cols = 212; // 37·212 is not a multiple of 4: the element tail runs too
      float[] g = random(rows * cols, 2, 0), u = random(rows * cols, 1, 0.1);
      float[] d = random(rows * cols, 1, 0);
      Tensor gg = gpu.upload(g, rows, cols), gu = gpu.upload(u, rows, cols);
      Tensor gd = gpu.upload(d, rows, cols);
      Tensor dg16 = gpu.matmulInput(rows, cols), du16 = gpu.matmulInput(rows, cols);
      Tensor dg32 = gpu.zeros(rows, cols), du32 = gpu.zeros(rows, cols);
      gpu.swigluBackward(gd, gg, gu, dg16, du16);
      gpu.swigluBackward(gd, gg, gu, dg32, du32);
      // the same arithmetic as the float32 kernel, rounded once to nearest even
      float[] dg = gpu.download(dg32), du = gpu.download(du32);
      assertArrayEquals(Bf16Reference.rounded(dg),
          gpu.download(dg16), "bf16 dGate is not the float32 dGate rounded");
      assertArrayEquals(Bf16Reference.rounded(du),
          gpu.download(du16), "bf16 dUp is not the float32 dUp rounded");
      Tensor cdg = cpu.zeros(rows, cols), cdu = cpu.zeros(rows, cols);
      cpu.swigluBackward(cpu.upload(d, rows, cols), cpu.upload(g, rows, cols),
          cpu.upload(u, rows, cols), cdg, cdu);
      roundedLike("swigluBackward bf16 dGate", gpu.download(dg16), cpu.download(cdg));
      roundedLike("swigluBackward bf16 dUp", gpu.download(du16), cpu.download(cdu));

      // linearBackward reads a bf16 dOut as it is: the same results as from its float32 source
      int in = 64;
      float[] x = random(rows * in, 1, 0), w = random(cols * in, 0.1, 0);
      Tensor gx = gpu.upload(x, rows, in), gw = gpu.upload(w, cols, in);
      Tensor dx16 = gpu.zeros(rows, in), dw16 = gpu.zeros(cols, in);
      Tensor dx32 = gpu.zeros(rows, in), dw32 = gpu.zeros(cols, in);
      gpu.linearBackward(dg16, gx, gw, dx16, false, dw16, null);
      gpu.linearBackward(dg32, gx, gw, dx32, false, dw32, null);
      assertArrayEquals(gpu.download(dx32), gpu.download(dx16),
          "dx from a bf16 dOut differs from dx from its float32 source");
      assertArrayEquals(gpu.download(dw32), gpu.download(dw16),
          "dW from a bf16 dOut differs from dW from its float32 source");
      // column sums of a bf16 dOut are not supported: a bias gradient needs float32
      assertThrows(IllegalArgumentException.class, () -> gpu.linearBackward(dg16, gx, gw, dx16,
          false, dw16, gpu.zeros(1, cols)));
    }
  }

  @Test
  void linearReadsABf16InputForwardAndBackward() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      float[] x = random(N * C, 1, 0), nw = random(C, 0.1, 1);
      float[][] w = {random(OUT * C, 0.1, 0), random(OUT / 2 * C, 0.1, 0)};
      float[][] dy = {random(N * OUT, 1, 0), random(N * OUT / 2, 1, 0)};
      float[][] dw0 = {random(OUT * C, 1, 0), random(OUT / 2 * C, 1, 0)};
      Tensor xb = gpu.matmulInput(N, C);
      gpu.rmsNorm(gpu.upload(x, N, C), gpu.upload(nw, 1, C), 1e-5f, xb, gpu.zeros(N, 1));
      float[] xr = gpu.download(xb); // bf16 values, exactly
      Tensor[] gw = {gpu.upload(w[0], OUT, C), gpu.upload(w[1], OUT / 2, C)};
      Tensor[] gy = {gpu.zeros(N, OUT), gpu.zeros(N, OUT / 2)};
      Tensor[] gdy = {gpu.upload(dy[0], N, OUT), gpu.upload(dy[1], N, OUT / 2)};
      Tensor[] gdw = {gpu.upload(dw0[0], OUT, C), gpu.upload(dw0[1], OUT / 2, C)};
      Tensor gdx = gpu.zeros(N, C), single = gpu.zeros(N, OUT);
      gpu.linear(xb, gw, null, gy);
      gpu.linear(xb, gw[0], null, single);
      gpu.linearBackward(gdy, xb, gw, gdx, false, gdw, null);

      Tensor cx = cpu.upload(xr, N, C), cdx = cpu.zeros(N, C);
      for (int i = 0; i < 2; i++) {
        int out = w[i].length / C;
        Tensor cw = cpu.upload(Bf16Reference.rounded(w[i]), out, C), cy = cpu.zeros(N, out);
        Tensor cdw = cpu.upload(dw0[i], out, C);
        cpu.linear(cx, cw, null, cy);
        cpu.linearBackward(cpu.upload(Bf16Reference.rounded(dy[i]), N, out), cx, cw, cdx, i > 0,
            cdw, null);
        check("linear y from a bf16 x, layer " + i, gpu.download(gy[i]), cpu.download(cy), SAME);
        check("linear dW from a bf16 x, layer " + i, gpu.download(gdw[i]), cpu.download(cdw),
            SAME);
        if (i == 0) {
          check("single linear y from a bf16 x", gpu.download(single), cpu.download(cy), SAME);
        }
      }
      check("linear dx (two layers) with a bf16 x", gpu.download(gdx), cpu.download(cdx), SAME);
    }
  }

  @Test
  void otherOpsRefuseABf16Tensor() {
    try (CudaBackend gpu = CudaBf16LinearTest.bf16Backend()) {
      Tensor b = gpu.matmulInput(4, 8), f = gpu.upload(random(32, 1, 0), 4, 8);
      assertThrows(IllegalArgumentException.class, () -> gpu.add(f, b));
      assertThrows(IllegalArgumentException.class, () -> gpu.add(b, f));
      assertThrows(IllegalArgumentException.class, () -> gpu.copy(b, f));
      assertThrows(IllegalArgumentException.class, () -> gpu.linear(f, b, null, gpu.zeros(4, 4)));
      assertThrows(IllegalArgumentException.class,
          () -> gpu.linear(f, gpu.upload(random(32, 1, 0), 4, 8), null, gpu.matmulInput(4, 4)));
      float[] zeros = gpu.download(b);
      for (float z : zeros) assertEquals(0f, z);
    }
  }

  @Test
  void outsideBf16ModeAMatmulInputIsFloat32() {
    assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA: " + CudaBackend.unavailableReason());
    try (CudaBackend gpu = new CudaBackend(0, Precision.TF32)) {
      float[] x = random(N * C, 1.5, 0.2), w = random(C, 0.1, 1);
      Tensor out = gpu.matmulInput(N, C);
      gpu.rmsNorm(gpu.upload(x, N, C), gpu.upload(w, 1, C), 1e-5f, out, gpu.zeros(N, 1));
      gpu.add(out, gpu.zeros(N, C)); // a float32 tensor: every op takes it
      Tensor cOut = cpu.zeros(N, C);
      cpu.rmsNorm(cpu.upload(x, N, C), cpu.upload(w, 1, C), 1e-5f, cOut, cpu.zeros(N, 1));
      check("rmsNorm into a tf32-mode matmulInput", gpu.download(out), cpu.download(cOut), 1e-6);
    }
  }

  /** got holds bf16 values, each within one bf16 step of the fp32 reference rounded to bf16. */
  private static void roundedLike(String what, float[] got, float[] fp32) {
    float[] want = Bf16Reference.rounded(fp32);
    int off = 0;
    for (int i = 0; i < got.length; i++) {
      float g = got[i];
      assertEquals(g, Bf16Reference.value(Bf16Reference.round(g)), what + ": not a bf16 value");
      float step = Math.max(Math.ulp(want[i]) * 65536f, Float.MIN_NORMAL);
      if (!(Math.abs(g - want[i]) <= step)) off++;
    }
    assertEquals(0, off, what + ": elements more than one bf16 step from the rounded CPU value");
    double e = relErr(toDouble(got), toDouble(fp32));
    GpuReport.record(what + " vs CPU fp32", e, BF16_MAX);
    assertTrue(e <= BF16_MAX, what + ": relative error " + e + " vs fp32 exceeds " + BF16_MAX);
    assertTrue(e >= BF16_MIN, what + ": relative error " + e + " vs fp32 is below " + BF16_MIN
        + ": the output was not rounded to bf16");
  }

  private static void check(String what, float[] got, float[] want, double tol) {
    double e = relErr(toDouble(got), toDouble(want));
    GpuReport.record(what, e, tol);
    assertTrue(e <= tol, what + ": relative error " + e + " exceeds " + tol);
  }
}
