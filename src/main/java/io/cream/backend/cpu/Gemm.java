package io.cream.backend.cpu;

import io.cream.util.Parallel;
import java.util.Arrays;
import java.util.concurrent.ForkJoinTask;

/**
 * Single-precision matrix product on row-major float arrays, BLAS sgemm style:
 * C[m×n] = (accumulate ? C : 0) + op(A)[m×k] · op(B)[k×n], where op(X) is X or Xᵀ.
 * A is stored as m×k (lda ≥ k) or, when transA, as k×m (lda ≥ m); likewise B.
 *
 * <p>Cache-blocked and packed ({@link GemmBlocked}) around a Vector API register-tiled
 * micro-kernel ({@link GemmKernel}), on the {@link Parallel} pool. A few-row product (a decoded
 * token) skips packing ({@link GemmSkinny}); a tiny one stays on the calling thread, and so
 * does a call made from inside a fork-join task (a parallel loop over heads or samples already
 * keeps the cores busy). C must not overlap A or B.
 */
public final class Gemm {
  private Gemm() {}

  /** Below this many flops the pool's hand-off costs more than a second core gains. */
  private static final double PARALLEL_MIN_FLOPS = 4e6;

  public static void gemm(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc,
      boolean accumulate) {
    gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate,
        Parallel.threads());
  }

  /**
   * As {@link #gemm(boolean, boolean, int, int, int, float[], int, int, float[], int, int,
   * float[], int, int, boolean)}, on at most {@code threads} of the pool's workers (1: the calling
   * thread only). For benchmarks and for callers that already run in parallel.
   */
  public static void gemm(
      boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc,
      boolean accumulate, int threads) {
    GemmCall g = new GemmCall(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
        accumulate);
    if (m == 0 || n == 0) return;
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
      }
      return;
    }
    // Called from inside a parallel loop, the cores are already busy: stay on this thread. This
    // also keeps a waiting worker from re-entering gemm (by work stealing) while its packed
    // panels are still being read by other workers.
    boolean nested = ForkJoinTask.inForkJoinPool();
    int workers = nested || g.flops() < PARALLEL_MIN_FLOPS ? 1 : Math.max(1, threads);
    if (m <= GemmSkinny.MAX_ROWS) {
      GemmSkinny.run(g, workers);
    } else {
      GemmBlocked.run(g, workers);
    }
  }
}
