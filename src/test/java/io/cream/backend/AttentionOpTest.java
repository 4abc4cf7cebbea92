package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention forward and backward of a backend against {@link ReferenceAttention64} (whose backward
 * is checked by finite differences in Reference64Test). Sequences run past one tile (300 keys with
 * 64-key tiles) so the online-softmax merge and the tile edges are exercised. Tolerance: a float32
 * result of sums over ≤ 300 keys × 4 grouped heads of O(1) terms carries a relative error of a few
 * 1e-7 (√n·ε); 1e-5 leaves margin yet catches any wrong index, mask or rescaling (O(1e-2) or worse).
 */
public abstract class AttentionOpTest {
  protected abstract Backend backend();

  /** Relative tolerance against the float64 reference (1e-5 for float32 backends). */
  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  @ParameterizedTest(name = "B={0} H={1} KV={2} d={3} Tq={4} Tk={5} stride={6}")
  @CsvSource({
    "2, 4, 1, 64, 300, 300, 300", // GQA 4:1, two sequences, several tiles
    "1, 2, 2, 128, 300, 300, 300", // 1:1, d = 128
    "2, 4, 1, 64, 77, 300, 320", // Tq ≠ Tk (causal offset 223) in a KV-cache layout
    "2, 8, 2, 64, 1, 257, 300", // one decode step per sequence over a cache
    "1, 3, 3, 20, 67, 70, 70", // odd head size and lengths: vector tails, partial tiles
    "1, 2, 1, 48, 130, 130, 130", // d = 48: three vectors per row
  })
  void matchesReference(int b, int h, int kvh, int d, int tq, int tk, int stride) {
    AttentionShape s = new AttentionShape(b, h, kvh, d, tq, tk, stride);
    long seed = 31L * tq + d;
    double[] q = gaussian(seed, s.queryRows() * s.queryCols(), 1.5);
    double[] k = gaussian(seed + 1, s.kvRows() * s.kvCols(), 1.5);
    double[] v = gaussian(seed + 2, s.kvRows() * s.kvCols(), 1);
    double[] dOut = gaussian(seed + 3, q.length, 1);
    ReferenceAttention64.Result ref = ReferenceAttention64.forward(s, q, k, v);
    ReferenceAttention64.Grads refGrads = ReferenceAttention64.backward(s, q, k, v, dOut);

    Tensor tq_ = upload(be, q, s.queryRows(), s.queryCols());
    Tensor tk_ = upload(be, k, s.kvRows(), s.kvCols());
    Tensor tv = upload(be, v, s.kvRows(), s.kvCols());
    Tensor out = be.zeros(s.queryRows(), s.queryCols());
    Tensor lse = be.zeros(s.queryRows(), s.heads());
    be.attention(s, tq_, tk_, tv, out, lse);
    assertClose("out", download(be, out), ref.out(), tol());
    assertClose("lse", download(be, lse), ref.lse(), tol());

    Tensor dq = be.zeros(s.queryRows(), s.queryCols());
    Tensor dk = be.zeros(s.kvRows(), s.kvCols());
    Tensor dv = be.zeros(s.kvRows(), s.kvCols());
    float sentinel = 12345f;
    be.fill(dk, sentinel);
    be.fill(dv, sentinel);
    be.attentionBackward(s, tq_, tk_, tv, out, lse, upload(be, dOut, s.queryRows(), s.queryCols()),
        dq, dk, dv);
    assertClose("dq", download(be, dq), refGrads.dq(), tol());
    assertClose("dk", attendedRows(s, download(be, dk), sentinel), refGrads.dk(), tol());
    assertClose("dv", attendedRows(s, download(be, dv), sentinel), refGrads.dv(), tol());
  }

  /** Checks rows past keyLen of each sequence were left untouched, then zeroes them like the ref. */
  private static double[] attendedRows(AttentionShape s, double[] g, float sentinel) {
    for (int b = 0; b < s.batch(); b++) {
      for (int j = s.keyLen(); j < s.kvStride(); j++) {
        int from = (b * s.kvStride() + j) * s.kvCols();
        for (int c = 0; c < s.kvCols(); c++) {
          assertEquals(sentinel, g[from + c], "row " + j + " of sequence " + b + " was written");
        }
        Arrays.fill(g, from, from + s.kvCols(), 0);
      }
    }
    return g;
  }

  @Test
  void decodeStepEqualsTheLastRowOfPrefill() {
    // The KV-cache contract: one query over past + 1 keys gives what full causal attention gives
    // for the last position.
    AttentionShape full = AttentionShape.causal(1, 4, 2, 64, 150);
    AttentionShape step = new AttentionShape(1, 4, 2, 64, 1, 150, 150);
    double[] q = gaussian(40, full.queryRows() * full.queryCols(), 1);
    double[] k = gaussian(41, full.kvRows() * full.kvCols(), 1);
    double[] v = gaussian(42, full.kvRows() * full.kvCols(), 1);
    Tensor tq = upload(be, q, full.queryRows(), full.queryCols());
    Tensor tk = upload(be, k, full.kvRows(), full.kvCols());
    Tensor tv = upload(be, v, full.kvRows(), full.kvCols());
    Tensor out = be.zeros(full.queryRows(), full.queryCols());
    be.attention(full, tq, tk, tv, out, be.zeros(full.queryRows(), full.heads()));
    Tensor outStep = be.zeros(1, step.queryCols());
    be.attention(step, tq.rows(149, 1), tk, tv, outStep, be.zeros(1, step.heads()));
    double[] last = download(be, out.rows(149, 1));
    assertClose("decode vs prefill", download(be, outStep), last, tol());
  }

  @Test
  void rejectsMismatchedShapes() {
    AttentionShape s = AttentionShape.causal(2, 4, 2, 8, 5);
    Tensor q = be.zeros(s.queryRows(), s.queryCols());
    Tensor k = be.zeros(s.kvRows(), s.kvCols());
    Tensor wrongV = be.zeros(s.kvRows(), s.queryCols());
    Tensor out = be.zeros(s.queryRows(), s.queryCols());
    Tensor lse = be.zeros(s.queryRows(), s.heads());
    assertThrows(IllegalArgumentException.class, () -> be.attention(s, q, k, wrongV, out, lse));
    assertThrows(IllegalArgumentException.class, () -> be.attention(s, q, k, k, q, lse));
    assertThrows(IllegalArgumentException.class, () -> new AttentionShape(1, 4, 3, 8, 2, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new AttentionShape(1, 4, 2, 8, 3, 2, 2));
  }
}
