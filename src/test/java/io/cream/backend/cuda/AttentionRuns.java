package io.cream.backend.cuda;

import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.AttentionShape;
import io.cream.backend.Tensor;

/** One attention forward and backward on a fresh GPU backend, as the attention tests run it. */
final class AttentionRuns {
  private AttentionRuns() {}

  /**
   * out, lse, dq, dk, dv of one forward and backward in precision p (out a bf16 matmulInput when
   * bf16Out); rows of dk and dv past keyLen must stay untouched (zero).
   */
  static double[][] run(Precision p, AttentionShape s, double[] q, double[] k, double[] v,
      double[] dOut, boolean bf16Out) {
    try (CudaBackend be = new CudaBackend(0, p)) {
      Tensor tq = upload(be, q, s.queryRows(), s.queryCols());
      Tensor tk = upload(be, k, s.kvRows(), s.kvCols());
      Tensor tv = upload(be, v, s.kvRows(), s.kvCols());
      Tensor out = bf16Out ? be.matmulInput(s.queryRows(), s.queryCols())
          : be.zeros(s.queryRows(), s.queryCols());
      Tensor lse = be.zeros(s.queryRows(), s.heads());
      be.attention(s, tq, tk, tv, out, lse);
      Tensor dq = be.zeros(s.queryRows(), s.queryCols());
      Tensor dk = be.zeros(s.kvRows(), s.kvCols());
      Tensor dv = be.zeros(s.kvRows(), s.kvCols());
      be.attentionBackward(s, tq, tk, tv, out, lse, upload(be, dOut, s.queryRows(),
          s.queryCols()), dq, dk, dv);
      return new double[][] {download(be, out), download(be, lse), download(be, dq),
          attended(s, download(be, dk)), attended(s, download(be, dv))};
    }
  }

  /** Rows past keyLen of each sequence (never written: zero-initialised) must still be zero. */
  static double[] attended(AttentionShape s, double[] grad) {
    for (int b = 0; b < s.batch(); b++) {
      for (int j = s.keyLen(); j < s.kvStride(); j++) {
        int from = (b * s.kvStride() + j) * s.kvCols();
        for (int c = 0; c < s.kvCols(); c++) {
          assertTrue(grad[from + c] == 0, "row " + j + " was written");
        }
      }
    }
    return grad;
  }

  /** ‖got − want‖ / ‖want‖ over all elements. */
  static double relError(double[] got, double[] want) {
    double num = 0, den = 0;
    for (int i = 0; i < want.length; i++) {
      double e = got[i] - want[i];
      num += e * e;
      den += want[i] * want[i];
    }
    return Math.sqrt(num / den);
  }
}
