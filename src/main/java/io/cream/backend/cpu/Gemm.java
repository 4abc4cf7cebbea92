package io.cream.backend.cpu;

/**
 * Single-precision matrix product on row-major float arrays, BLAS sgemm style:
 * C[m×n] = (accumulate ? C : 0) + op(A)[m×k] · op(B)[k×n], where op(X) is X or Xᵀ.
 * A is stored as m×k (lda ≥ k) or, when transA, as k×m (lda ≥ m); likewise B.
 *
 * <p>PLACEHOLDER: this plain version fixes the signature; the cache-blocked, Vector API version
 * replaces it.
 */
public final class Gemm {
  private Gemm() {}

  public static void gemm(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    Parallel.forRange(m, 4, (i0, i1) -> {
      for (int i = i0; i < i1; i++) {
        for (int j = 0; j < n; j++) {
          float s = 0f;
          for (int p = 0; p < k; p++) {
            float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
            s += av * bv;
          }
          int ci = cOff + i * ldc + j;
          c[ci] = accumulate ? c[ci] + s : s;
        }
      }
    });
  }
}
