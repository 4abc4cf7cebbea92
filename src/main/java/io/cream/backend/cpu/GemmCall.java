package io.cream.backend.cpu;

/**
 * The arguments of one {@link Gemm#gemm} call, checked, with the element accessors the packing
 * and fallback paths share: C[m×n] = (accumulate ? C : 0) + op(A)·op(B).
 */
record GemmCall(
    boolean transA, boolean transB, int m, int n, int k,
    float[] a, int aOff, int lda,
    float[] b, int bOff, int ldb,
    float[] c, int cOff, int ldc,
    boolean accumulate) {

  GemmCall {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm: negative size m=" + m + " n=" + n + " k=" + k);
    }
    // Stored shapes: A is m×k (k×m when transposed), B is k×n (n×k when transposed).
    checkMatrix("A", a, aOff, lda, transA ? k : m, transA ? m : k);
    checkMatrix("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
    checkMatrix("C", c, cOff, ldc, m, n);
  }

  /** op(A)[i][p]. */
  float opA(int i, int p) {
    return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
  }

  /** Multiply-adds in this product. */
  double flops() {
    return 2.0 * m * n * k;
  }

  private static void checkMatrix(String name, float[] x, int off, int ld, int rows, int cols) {
    if (x == null) throw new IllegalArgumentException("gemm: " + name + " is null");
    if (off < 0) throw new IllegalArgumentException("gemm: negative offset for " + name);
    if (ld < Math.max(1, cols)) {
      throw new IllegalArgumentException(
          "gemm: leading dimension of " + name + " is " + ld + ", below its row length " + cols);
    }
    if (rows == 0 || cols == 0) return;
    long last = off + (long) (rows - 1) * ld + cols;
    if (last > x.length) {
      throw new IllegalArgumentException(
          "gemm: " + name + " (" + rows + "×" + cols + ", offset " + off + ", stride " + ld
              + ") needs " + last + " floats but the array has " + x.length);
    }
  }
}
