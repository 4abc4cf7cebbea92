package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The RMSNorm backward at model-like sizes (dx with or without accumulation, or none, and the
 * weight gradient; TinyLlama's width and a row wider than 4096) and the 16-byte SwiGLU and
 * residual add, on aligned tensors and on row views that start off a 16-byte boundary, against
 * the CPU backend at float32 tolerance.
 */
@Tag("gpu")
class CudaFusedOpsTest {
  private static final double TOL = 1e-5;

  private CudaBackend gpu;
  private final CpuBackend cpu = new CpuBackend();
  private long seed = 4242;

  @BeforeEach
  void setUp() {
    gpu = CudaTests.backend();
  }

  @AfterEach
  void tearDown() {
    if (gpu != null) gpu.close();
  }

  private record Pair(Tensor g, Tensor c) {}

  private Pair random(int rows, int cols) {
    float[] x = toFloat(gaussian(seed++, rows * cols, 1));
    return new Pair(gpu.upload(x, rows, cols), cpu.upload(x, rows, cols));
  }

  /** Rows [1, 1 + rows) of a random (rows + 2) × cols pair: an unaligned view when cols is odd. */
  private Pair view(int rows, int cols) {
    Pair whole = random(rows + 2, cols);
    return new Pair(whole.g.rows(1, rows), whole.c.rows(1, rows));
  }

  private void compare(String what, Pair p, double tol) {
    double e = relErr(toDouble(gpu.download(p.g)), toDouble(cpu.download(p.c)));
    GpuReport.record(what, e, tol);
    assertTrue(e <= tol, what + ": GPU vs CPU relative error " + e + " exceeds " + tol);
  }

  @ParameterizedTest(name = "{0} × {1}, dx {2}")
  @CsvSource({
      "1000, 2048, accumulate", // TinyLlama's width, several row chunks of the weight gradient
      "300, 1000, overwrite",
      "37, 577, none", // the weight gradient alone
      "40, 4100, accumulate"}) // wider than 4096
  void rmsNormBackward(int rows, int cols, String dxMode) {
    Pair x = random(rows, cols), w = random(1, cols);
    Pair y = random(rows, cols), rstd = random(rows, 1);
    gpu.rmsNorm(x.g, w.g, 1e-5f, y.g, rstd.g);
    cpu.rmsNorm(x.c, w.c, 1e-5f, y.c, rstd.c);
    Pair dy = random(rows, cols), dx = random(rows, cols), dw = random(1, cols);
    boolean none = dxMode.equals("none"), acc = dxMode.equals("accumulate");
    gpu.rmsNormBackward(dy.g, x.g, w.g, rstd.g, none ? null : dx.g, acc, dw.g);
    cpu.rmsNormBackward(dy.c, x.c, w.c, rstd.c, none ? null : dx.c, acc, dw.c);
    String shape = " " + rows + "×" + cols + " (" + dxMode + ")";
    compare("rmsNorm backward dx" + shape, dx, TOL);
    compare("rmsNorm backward dWeight" + shape, dw, TOL);
  }

  @Test
  void swigluAndAddOnAlignedTensorsAndViews() {
    for (boolean unaligned : new boolean[] {false, true}) {
      int rows = 301, cols = unaligned ? 563 : 564; // 564 = 4·141: whole quads, no tail
      Pair gate = unaligned ? view(rows, cols) : random(rows, cols);
      Pair up = random(rows, cols), out = random(rows, cols);
      gpu.swiglu(gate.g, up.g, out.g);
      cpu.swiglu(gate.c, up.c, out.c);
      String tag = unaligned ? " (unaligned view)" : " (aligned)";
      compare("swiglu" + tag, out, TOL);
      Pair dOut = random(rows, cols), dGate = random(rows, cols);
      Pair dUp = unaligned ? view(rows, cols) : random(rows, cols);
      gpu.swigluBackward(dOut.g, gate.g, up.g, dGate.g, dUp.g);
      cpu.swigluBackward(dOut.c, gate.c, up.c, dGate.c, dUp.c);
      compare("swiglu dGate" + tag, dGate, TOL);
      compare("swiglu dUp" + tag, dUp, TOL);
      Pair a = unaligned ? view(rows, cols) : random(rows, cols), b = random(rows, cols);
      gpu.add(a.g, b.g);
      cpu.add(a.c, b.c);
      assertArrayEquals(cpu.download(a.c), gpu.download(a.g), "add" + tag + " is exact");
      GpuReport.record("add" + tag + " (exact)", 0, 0);
    }
  }
}
