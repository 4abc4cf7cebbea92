package io.cream.util;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * cream's worker threads, shared by the CPU backend's kernels, RoPE tables, tokenizing and loading:
 * one fork-join pool sized to the machine (override with the environment variable CREAM_THREADS),
 * and parallel loops over index ranges.
 */
public final class Parallel {
  private static final int THREADS = threadsFromEnvironment();
  private static final ForkJoinPool POOL = new ForkJoinPool(THREADS);

  private Parallel() {}

  /** Number of worker threads. */
  public static int threads() {
    return THREADS;
  }

  /** A body run over the index range [start, end). */
  @FunctionalInterface
  public interface RangeBody {
    void run(int start, int end);
  }

  /**
   * Runs body over [0, n) split into contiguous chunks of at least {@code grain} indices, in
   * parallel; returns when all chunks are done. Small ranges run on the calling thread.
   */
  public static void forRange(int n, int grain, RangeBody body) {
    if (n <= 0) return;
    int g = Math.max(1, grain);
    if (THREADS == 1 || n <= g) {
      body.run(0, n);
      return;
    }
    // Aim for a few chunks per thread so uneven work still balances.
    int chunks = Math.min((n + g - 1) / g, THREADS * 4);
    POOL.invoke(new Chunk(body, 0, n, (n + chunks - 1) / chunks));
  }

  private static final class Chunk extends RecursiveAction {
    private final RangeBody body;
    private final int start, end, size;

    Chunk(RangeBody body, int start, int end, int size) {
      this.body = body;
      this.start = start;
      this.end = end;
      this.size = size;
    }

    @Override
    protected void compute() {
      if (end - start <= size) {
        body.run(start, end);
        return;
      }
      int mid = start + Math.max(size, (end - start) / 2 / size * size);
      invokeAll(new Chunk(body, start, mid, size), new Chunk(body, mid, end, size));
    }
  }

  private static int threadsFromEnvironment() {
    String s = System.getenv("CREAM_THREADS");
    if (s != null && !s.isBlank()) {
      try {
        int t = Integer.parseInt(s.trim());
        if (t >= 1) return t;
      } catch (NumberFormatException ignored) {
        // fall through to the machine's count
      }
    }
    return Runtime.getRuntime().availableProcessors();
  }
}
