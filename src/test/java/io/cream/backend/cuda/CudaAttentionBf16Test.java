package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.AttentionShape;
import io.cream.backend.ReferenceAttention64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The bf16 tensor-core attention (attention_bf16_fwd.cu, attention_bf16_bwd.cu, {@code --precision
 * bf16}) against the float64 reference, forward and backward, on the shapes of
 * CudaAttentionTensorCoreTest: GQA, partial tiles, a causal query offset over a KV-cache stride, a
 * short query block over a long cache, and decode steps whose keys are split over blocks. Each case
 * also runs the FP32 and TF32 kernels on the same inputs: bf16 operands (8 significant bits against
 * TF32's 11) must show an error well above theirs, so the test cannot pass on a kernel that
 * silently multiplies in higher precision. Two bf16 runs must agree bit for bit, and so must the
 * kernel variants of {@link Bf16AttentionKernels} (tiles staged by cp.async or in registers, or
 * read from bf16 copies): they multiply the same bf16 values in the same order. cuDNN is switched
 * off here (-Dcream.cudnn=0); CudnnAttentionTest holds cuDNN's path to the same bounds.
 */
class CudaAttentionBf16Test {
  // cream's own kernels: training shapes would otherwise run on cuDNN (CudnnAttentionTest).
  @BeforeAll
  static void creamKernels() {
    System.setProperty(CudnnAttention.SWITCH, "0");
  }

  @AfterAll
  static void defaultKernels() {
    System.clearProperty(CudnnAttention.SWITCH);
  }

  /**
   * bf16 (8 significant bits) rounds each operand with a relative error up to 2^-8 (~2.3e-3 rms);
   * scores sum d such products, then P and dS are rounded again. Measured on an H200: outputs
   * 3.7–6.0e-3, lse ≤ 5e-4, gradients 4–6e-3 (dS = P∘(dP − Δ) cancels).
   */
  private static final double TOL = 1e-2, GRAD_TOL = 2e-2;

  @Tag("gpu")
  @ParameterizedTest(name = "B={0} H={1} KV={2} d={3} Tq={4} Tk={5} stride={6}")
  @CsvSource({
    "2, 4, 2, 64, 200, 200, 200",
    "1, 4, 1, 128, 150, 150, 150",
    "2, 4, 2, 64, 37, 300, 320", // a prefill chunk: queries 263..299 over a cache of stride 320
    "1, 8, 2, 128, 3, 500, 512",
    "2, 8, 2, 128, 100, 100, 100",
    "1, 8, 2, 64, 1, 2000, 2048", // one decode step, keys split over 4 blocks
    "2, 4, 1, 128, 5, 1500, 1600", // split into 3, rows see different key counts
    "1, 8, 2, 128, 1, 1100, 1100",
  })
  void matchesReferenceWithBf16Error(int b, int h, int kvh, int d, int tq, int tk, int stride) {
    CudaTests.backend().close(); // skips without a GPU
    AttentionShape s = new AttentionShape(b, h, kvh, d, tq, tk, stride);
    long seed = 11L * tq + d;
    double[] q = gaussian(seed, s.queryRows() * s.queryCols(), 1.5);
    double[] k = gaussian(seed + 1, s.kvRows() * s.kvCols(), 1.5);
    double[] v = gaussian(seed + 2, s.kvRows() * s.kvCols(), 1);
    double[] dOut = gaussian(seed + 3, q.length, 1);
    ReferenceAttention64.Result ref = ReferenceAttention64.forward(s, q, k, v);
    ReferenceAttention64.Grads g = ReferenceAttention64.backward(s, q, k, v, dOut);
    double[][] want = {ref.out(), ref.lse(), g.dq(), g.dk(), g.dv()};
    String[] names = {"out", "lse", "dq", "dk", "dv"};

    double[][] bf16 = run(Precision.BF16, s, q, k, v, dOut);
    double[][] tf32 = run(Precision.TF32, s, q, k, v, dOut);
    double[][] fp32 = run(Precision.FP32, s, q, k, v, dOut);
    String tag = "attention bf16 d" + d + (tq < tk ? " Tq<Tk" : "")
        + (CudaAttention.splits(s) > 1 ? " split" : "") + " ";
    for (int i = 0; i < names.length; i++) {
      double tol = i < 2 ? TOL : GRAD_TOL;
      double err = AttentionRuns.relError(bf16[i], want[i]);
      GpuReport.record(tag + names[i], err, tol);
      assertTrue(err <= tol, tag + names[i] + ": relative error " + err + " > " + tol); // NaN fails
    }
    for (String staging : new String[] {"async", "registers", "cast5"}) {
      double[][] other = runStaged(staging, s, q, k, v, dOut);
      for (int i = 0; i < names.length; i++) {
        assertArrayEquals(bf16[i], other[i], names[i] + ": staging " + staging
            + " differs from the default kernels");
      }
    }
    // Output and dQ gather the most roundings: there the bf16 error must stand out.
    for (int i : new int[] {0, 2}) {
      double eb = AttentionRuns.relError(bf16[i], want[i]), et = AttentionRuns.relError(tf32[i], want[i]);
      double ef = AttentionRuns.relError(fp32[i], want[i]);
      assertTrue(eb > 2 * et, names[i] + ": bf16 error " + eb + " is not above 2× TF32's " + et);
      assertTrue(eb > 20 * ef, names[i] + ": bf16 error " + eb + " is not above 20× FP32's " + ef);
    }
  }

  @Tag("gpu")
  @ParameterizedTest(name = "d={0}")
  @CsvSource({"64", "128"})
  void twoRunsAreBitIdentical(int d) {
    CudaTests.backend().close(); // skips without a GPU
    AttentionShape s = new AttentionShape(2, 8, 2, d, 150, 230, 256);
    double[] q = gaussian(31, s.queryRows() * s.queryCols(), 1.5);
    double[] k = gaussian(32, s.kvRows() * s.kvCols(), 1.5);
    double[] v = gaussian(33, s.kvRows() * s.kvCols(), 1);
    double[] dOut = gaussian(34, q.length, 1);
    double[][] first = run(Precision.BF16, s, q, k, v, dOut);
    double[][] second = run(Precision.BF16, s, q, k, v, dOut);
    for (int i = 0; i < first.length; i++) {
      assertTrue(Double.isFinite(first[i][0]), "output " + i + " is not finite");
      assertArrayEquals(first[i], second[i], "output " + i + " differs between two runs");
    }
  }

  private static double[][] runStaged(String staging, AttentionShape s, double[] q, double[] k,
      double[] v, double[] dOut) {
    System.setProperty(Bf16AttentionKernels.STAGING, staging);
    try {
      return run(Precision.BF16, s, q, k, v, dOut);
    } finally {
      System.clearProperty(Bf16AttentionKernels.STAGING);
    }
  }

  /** out, lse, dq, dk, dv of one forward and backward on a fresh backend of this precision. */
  private static double[][] run(Precision p, AttentionShape s, double[] q, double[] k, double[] v,
      double[] dOut) {
    try (CudaBackend be = new CudaBackend(0, p)) {
      assertTrue(be.attentionOnTensorCores(s), "this shape should run on tensor cores");
    }
    return AttentionRuns.run(p, s, q, k, v, dOut, false);
  }
}
