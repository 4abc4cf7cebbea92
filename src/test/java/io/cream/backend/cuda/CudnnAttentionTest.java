package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cream.backend.AttentionShape;
import io.cream.backend.ReferenceAttention64;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention through cuDNN's fused kernels ({@link CudnnAttention}, the default of {@code
 * --precision bf16} for training shapes) against the float64 reference, forward and backward:
 * grouped and full heads, head dims 64 and 128, lengths on and off the 64/128 tiles, several
 * sequences. The same bf16 bounds as cream's own bf16 kernels (CudaAttentionBf16Test), and the
 * error must stand well above the TF32 kernels' on the same inputs, so a path that silently
 * multiplied in higher precision (or never reached cuDNN) cannot pass. Skipped where cuDNN is not
 * installed, unless CREAM_REQUIRE_CUDNN=1 (gpu-check.sh sets it on the GPU machine).
 */
class CudnnAttentionTest {
  private static final double TOL = 1e-2, GRAD_TOL = 2e-2;

  @Tag("gpu")
  @ParameterizedTest(name = "B={0} H={1} KV={2} d={3} T={4} stride={5}")
  @CsvSource({
    "2, 8, 2, 64, 256, 256",
    "1, 4, 4, 64, 200, 200",
    "2, 4, 1, 128, 150, 150",
    "1, 8, 8, 128, 384, 384",
    "3, 8, 2, 64, 97, 97",
    // a one-chunk prefill into a longer KV cache: cuDNN forward, cream's backward (same lse)
    "2, 8, 2, 64, 300, 320",
  })
  void matchesReferenceWithBf16Error(int b, int h, int kvh, int d, int t, int stride) {
    check(new AttentionShape(b, h, kvh, d, t, t, stride));
  }

  /**
   * Prefill chunks after earlier keys of a KV cache: cuDNN's forward in two parts (every earlier
   * key, then the chunk's causal square), merged by their log-sum-exps; the backward runs cream's
   * kernels on that lse and output.
   */
  @Tag("gpu")
  @ParameterizedTest(name = "B={0} H={1} KV={2} d={3} Tq={4} Tk={5} stride={6}")
  @CsvSource({
    "1, 8, 2, 64, 128, 300, 320",
    "2, 4, 4, 128, 100, 356, 356",
    "1, 8, 2, 64, 64, 1000, 1024",
  })
  void prefillChunksMatchTheReference(int b, int h, int kvh, int d, int tq, int tk, int stride) {
    check(new AttentionShape(b, h, kvh, d, tq, tk, stride));
  }

  private void check(AttentionShape s) {
    CudaTests.backend().close(); // skips without a GPU
    int b = s.batch(), h = s.heads(), kvh = s.kvHeads(), d = s.headDim(), t = s.queryLen();
    int stride = s.kvStride();
    try (CudaBackend be = new CudaBackend(0, Precision.BF16)) {
      String impl = be.attentionImplementation(s);
      boolean required = "1".equals(System.getenv("CREAM_REQUIRE_CUDNN"));
      if (!impl.startsWith("cuDNN")) {
        assertTrue(!required, "cuDNN should run " + s + " but " + impl + " does ("
            + Cudnn.unavailableReason() + ")");
        assumeTrue(false, "cuDNN not installed: " + Cudnn.unavailableReason());
      }
    }
    long seed = 7L * t + d + h + s.keyLen();
    double[] q = gaussian(seed, s.queryRows() * s.queryCols(), 1.5);
    double[] k = gaussian(seed + 1, s.kvRows() * s.kvCols(), 1.5);
    double[] v = gaussian(seed + 2, s.kvRows() * s.kvCols(), 1);
    double[] dOut = gaussian(seed + 3, q.length, 1);
    ReferenceAttention64.Result ref = ReferenceAttention64.forward(s, q, k, v);
    ReferenceAttention64.Grads g = ReferenceAttention64.backward(s, q, k, v, dOut);
    double[][] want = {ref.out(), ref.lse(), g.dq(), g.dk(), g.dv()};
    String[] names = {"out", "lse", "dq", "dk", "dv"};
    double[][] cudnn = AttentionRuns.run(Precision.BF16, s, q, k, v, dOut, false);
    double[][] tf32 = AttentionRuns.run(Precision.TF32, s, q, k, v, dOut, false);
    String tag = "attention cuDNN d" + d + (kvh < h ? " GQA" : "") + " T" + t
        + (s.keyLen() > t ? " after " + s.causalOffset() : "")
        + (stride > s.keyLen() ? " cache" + stride : "") + " ";
    for (int i = 0; i < names.length; i++) {
      double tol = i < 2 ? TOL : GRAD_TOL;
      double err = AttentionRuns.relError(cudnn[i], want[i]);
      GpuReport.record(tag + names[i], err, tol);
      assertTrue(err <= tol, tag + names[i] + ": relative error " + err + " > " + tol); // NaN fails
    }
    for (int i : new int[] {0, 2}) {
      double eb = AttentionRuns.relError(cudnn[i], want[i]), et = AttentionRuns.relError(tf32[i], want[i]);
      assertTrue(eb > 2 * et, names[i] + ": cuDNN bf16 error " + eb + " is not above 2× TF32's " + et);
    }
  }

  /**
   * Two runs on the same inputs: cuDNN accumulates dQ in an fp32 buffer that cream zeroes before
   * each backward; stale or uninitialised memory there, or in any other buffer, would show as a
   * difference far above the last-bit effects of a reordered accumulation (≤ 1e-6 allowed).
   */
  @Tag("gpu")
  @Test
  void twoRunsAgree() {
    CudaTests.backend().close(); // skips without a GPU
    AttentionShape s = AttentionShape.causal(2, 8, 2, 64, 512);
    try (CudaBackend be = new CudaBackend(0, Precision.BF16)) {
      assumeTrue(be.attentionImplementation(s).startsWith("cuDNN")
          || "1".equals(System.getenv("CREAM_REQUIRE_CUDNN")), "cuDNN not installed");
    }
    double[] q = gaussian(51, s.queryRows() * s.queryCols(), 1.5);
    double[] k = gaussian(52, s.kvRows() * s.kvCols(), 1.5);
    double[] v = gaussian(53, s.kvRows() * s.kvCols(), 1);
    double[] dOut = gaussian(54, q.length, 1);
    double[][] first = AttentionRuns.run(Precision.BF16, s, q, k, v, dOut, false);
    double[][] second = AttentionRuns.run(Precision.BF16, s, q, k, v, dOut, false);
    for (int i = 0; i < first.length; i++) {
      double err = AttentionRuns.relError(second[i], first[i]);
      GpuReport.record("attention cuDNN two runs, output " + i, err, 1e-6);
      assertTrue(err <= 1e-6, "output " + i + " differs by " + err + " between two runs");
    }
  }

  /**
   * Training keeps the attention output (o_proj's input) as a bf16 matmulInput: it must hold the
   * float32 output rounded to bf16. cuDNN reads bf16 O in either case, so its gradients must not
   * change; cream's kernels compute Δ = rowsum(dO ∘ out) from the rounded out (as cuDNN does),
   * measured at 2.4e-3 on dq against the float32 out, so there everything is held to the bf16
   * bounds against the float64 reference instead.
   */
  @Tag("gpu")
  @ParameterizedTest(name = "cudnn={0}")
  @CsvSource({"1", "0"})
  void aBf16OutputHoldsTheRoundedOutput(String cudnn) {
    CudaTests.backend().close(); // skips without a GPU
    AttentionShape s = AttentionShape.causal(2, 8, 2, 64, 192);
    double[] q = gaussian(41, s.queryRows() * s.queryCols(), 1.5);
    double[] k = gaussian(42, s.kvRows() * s.kvCols(), 1.5);
    double[] v = gaussian(43, s.kvRows() * s.kvCols(), 1);
    double[] dOut = gaussian(44, q.length, 1);
    ReferenceAttention64.Result ref = ReferenceAttention64.forward(s, q, k, v);
    ReferenceAttention64.Grads g = ReferenceAttention64.backward(s, q, k, v, dOut);
    double[][] want = {ref.out(), ref.lse(), g.dq(), g.dk(), g.dv()};
    System.setProperty(CudnnAttention.SWITCH, cudnn);
    try {
      double[][] f32 = AttentionRuns.run(Precision.BF16, s, q, k, v, dOut, false);
      double[][] b16 = AttentionRuns.run(Precision.BF16, s, q, k, v, dOut, true);
      assertArrayEquals(Bf16Reference.rounded(toFloat(f32[0])), toFloat(b16[0]),
          "bf16 out is not the float32 out rounded");
      for (int i = 1; i < f32.length; i++) {
        String what = "attention bf16 out (cudnn=" + cudnn + ") output " + i;
        if (cudnn.equals("1")) {
          double err = AttentionRuns.relError(b16[i], f32[i]);
          GpuReport.record(what + " vs fp32 out", err, 1e-5);
          assertTrue(err <= 1e-5, what + " changed by " + err + " with a bf16 out");
        }
        double tol = i < 2 ? TOL : GRAD_TOL, err = AttentionRuns.relError(b16[i], want[i]);
        GpuReport.record(what + " vs float64", err, tol);
        assertTrue(err <= tol, what + ": relative error " + err + " > " + tol);
      }
    } finally {
      System.clearProperty(CudnnAttention.SWITCH);
    }
  }
}
