package io.cream.backend.cuda;

import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.AttentionShape;
import io.cream.backend.ReferenceAttention64;
import io.cream.backend.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tensor-core attention kernels (attention_tc.cu) against the float64 reference, forward and
 * backward, in both precisions: three TF32 products per tile (the default; fp32 tolerance 1e-5 on
 * outputs, 3e-5 on gradients) and one (--tf32; TF32 tolerance). Shapes cover GQA, partial tiles, a causal offset in a KV-cache layout
 * a short query block over a long cache, and decode steps whose keys are split over blocks.
 */
class CudaAttentionTensorCoreTest {

  @Tag("gpu")
  @ParameterizedTest(name = "tf32={0} B={1} H={2} KV={3} d={4} Tq={5} Tk={6} stride={7}")
  @CsvSource({
    "false, 2, 4, 2, 64, 200, 200, 200",
    "false, 1, 4, 1, 128, 150, 150, 150",
    "false, 2, 4, 2, 64, 37, 300, 320",
    "false, 1, 8, 2, 128, 3, 500, 512",
    "true, 2, 4, 2, 64, 200, 200, 200",
    "true, 1, 4, 1, 128, 150, 150, 150",
    "true, 2, 4, 2, 64, 37, 300, 320",
    "false, 1, 8, 2, 64, 1, 2000, 2048", // one decode step, keys split over 4 blocks
    "false, 2, 4, 1, 128, 5, 1500, 1600", // split into 3, rows see different key counts
    "true, 1, 8, 2, 128, 1, 1100, 1100",
  })
  void matchesReference(boolean tf32, int b, int h, int kvh, int d, int tq, int tk, int stride) {
    CudaTests.backend().close(); // skips without a GPU
    // Three TF32 products carry ~2^-21 per product (fp32: 2^-24); exp() turns score errors into
    // ~5e-6 on outputs, and dS = P∘(dP − Δ) cancels when one query spreads over thousands of keys,
    // so gradients of such shapes reach ~1.5e-5 (measured on an H200).
    double tol = tf32 ? 5e-3 : 1e-5, gradTol = tf32 ? 5e-3 : 3e-5;
    String tag = "attention tc d" + d + (tf32 ? " tf32" : "") + (tq < tk ? " Tq<Tk" : "")
        + (CudaAttention.splits(new AttentionShape(b, h, kvh, d, tq, tk, stride)) > 1 ? " split" : "") + " ";
    try (CudaBackend be = new CudaBackend(0, tf32 ? Precision.TF32 : Precision.FP32)) {
      AttentionShape s = new AttentionShape(b, h, kvh, d, tq, tk, stride);
      assertTrue(be.attentionOnTensorCores(s), "this shape should run on tensor cores");
      long seed = 7L * tq + d + (tf32 ? 1 : 0);
      double[] q = gaussian(seed, s.queryRows() * s.queryCols(), 1.5);
      double[] k = gaussian(seed + 1, s.kvRows() * s.kvCols(), 1.5);
      double[] v = gaussian(seed + 2, s.kvRows() * s.kvCols(), 1);
      double[] dOut = gaussian(seed + 3, q.length, 1);
      ReferenceAttention64.Result ref = ReferenceAttention64.forward(s, q, k, v);
      ReferenceAttention64.Grads g = ReferenceAttention64.backward(s, q, k, v, dOut);
      Tensor tq_ = upload(be, q, s.queryRows(), s.queryCols());
      Tensor tk_ = upload(be, k, s.kvRows(), s.kvCols());
      Tensor tv = upload(be, v, s.kvRows(), s.kvCols());
      Tensor out = be.zeros(s.queryRows(), s.queryCols());
      Tensor lse = be.zeros(s.queryRows(), s.heads());
      be.attention(s, tq_, tk_, tv, out, lse);
      check(tag + "out", download(be, out), ref.out(), tol);
      check(tag + "lse", download(be, lse), ref.lse(), tol);
      Tensor dq = be.zeros(s.queryRows(), s.queryCols());
      Tensor dk = be.zeros(s.kvRows(), s.kvCols());
      Tensor dv = be.zeros(s.kvRows(), s.kvCols());
      be.attentionBackward(s, tq_, tk_, tv, out, lse, upload(be, dOut, s.queryRows(), s.queryCols()), dq, dk, dv);
      check(tag + "dq", download(be, dq), g.dq(), gradTol);
      check(tag + "dk", attended(s, download(be, dk)), g.dk(), gradTol);
      check(tag + "dv", attended(s, download(be, dv)), g.dv(), gradTol);
    }
  }

  @Test
  void keysAreSplitOnlyWhenQueryTilesCannotFillTheGpu() {
    assertEquals(64, CudaAttention.splits(new AttentionShape(1, 32, 4, 64, 1, 32768, 32768)));
    assertEquals(4, CudaAttention.splits(new AttentionShape(1, 8, 2, 64, 1, 2000, 2048)));
    assertEquals(1, CudaAttention.splits(new AttentionShape(1, 8, 2, 64, 1, 400, 512)));
    assertEquals(1, CudaAttention.splits(AttentionShape.causal(4, 32, 4, 64, 4096)));
    assertEquals(128, CudaAttention.splits(new AttentionShape(1, 1, 1, 64, 1, 1 << 20, 1 << 20)));
  }

  /** Rows past keyLen of each sequence (never written: zero-initialised) compare as zeros. */
  private static double[] attended(AttentionShape s, double[] grad) {
    for (int b = 0; b < s.batch(); b++) {
      for (int j = s.keyLen(); j < s.kvStride(); j++) {
        int from = (b * s.kvStride() + j) * s.kvCols();
        for (int c = 0; c < s.kvCols(); c++) assertTrue(grad[from + c] == 0, "row " + j + " was written");
      }
    }
    return grad;
  }

  private static void check(String what, double[] got, double[] ref, double tol) {
    double num = 0, den = 0;
    for (int i = 0; i < ref.length; i++) {
      double e = got[i] - ref[i];
      num += e * e;
      den += ref[i] * ref[i];
    }
    double rel = Math.sqrt(num / den);
    GpuReport.record(what, rel, tol);
    assertTrue(rel <= tol, what + ": relative error " + rel + " > " + tol); // NaN fails too
  }
}
