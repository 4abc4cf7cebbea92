package io.cream.backend.cpu;

import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The machine's fp32 multiply-add ceiling, measured the way {@link Gemm} computes: sixteen
 * independent vector FMA chains per thread (enough to cover FMA latency on two units), kept in
 * registers, on the same vector species and the same worker pool.
 */
public final class FmaPeak {
  private FmaPeak() {}

  private static final int CHAINS = 16;

  /** Lanes per vector of the species Gemm uses. */
  public static int lanes() {
    return GemmKernel.LANES;
  }

  /**
   * GFLOP/s with {@code threads} workers running at once, the best of {@code repeats} runs of
   * about {@code millis} each (a ceiling, so the best run is the one that counts).
   */
  public static double measure(int threads, int millis, int repeats) {
    int t = Math.max(1, Math.min(threads, Parallel.threads()));
    long iterations = calibrate(millis);
    double best = 0;
    for (int r = 0; r < repeats; r++) {
      float[] sink = new float[t];
      long start = System.nanoTime();
      GemmTasks.run(t, t, w -> sink[w] = chains(iterations));
      long ns = System.nanoTime() - start;
      if (Float.isNaN(sink[0])) throw new IllegalStateException("FMA chains diverged");
      best = Math.max(best, flops(t, iterations) / ns);
    }
    return best;
  }

  /**
   * cores × FMA units × lanes × 2 flops × clock: what the hardware could do at that clock. The
   * clock under heavy vector load can differ from the nominal one (turbo above it, AVX-512
   * licences below it), which is why {@link #measure} is the denominator that counts.
   */
  public static double theoretical(int cores, int fmaUnits, int lanes, double ghz) {
    return cores * fmaUnits * lanes * 2.0 * ghz;
  }

  private static double flops(int threads, long iterations) {
    return (double) threads * iterations * CHAINS * GemmKernel.LANES * 2;
  }

  /** Iterations that take about millis on one thread (after the JIT has compiled the loop). */
  private static long calibrate(int millis) {
    long iterations = 1 << 16;
    chains(iterations);
    while (true) {
      long start = System.nanoTime();
      chains(iterations);
      long ns = System.nanoTime() - start;
      if (ns >= millis * 250_000L || iterations > (1L << 40)) {
        return Math.max(1, (long) (iterations * (millis * 1e6 / ns)));
      }
      iterations *= 4;
    }
  }

  private static float chains(long iterations) {
    var s = GemmKernel.SPECIES;
    // x slightly below 1 and a small y keep every chain bounded and away from denormals.
    FloatVector x = FloatVector.broadcast(s, 0.9999f), y = FloatVector.broadcast(s, 1e-4f);
    FloatVector a0 = y, a1 = y, a2 = y, a3 = y, a4 = y, a5 = y, a6 = y, a7 = y;
    FloatVector a8 = y, a9 = y, a10 = y, a11 = y, a12 = y, a13 = y, a14 = y, a15 = y;
    for (long i = 0; i < iterations; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
      a12 = a12.fma(x, y);
      a13 = a13.fma(x, y);
      a14 = a14.fma(x, y);
      a15 = a15.fma(x, y);
    }
    FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7);
    sum = sum.add(a8).add(a9).add(a10).add(a11).add(a12).add(a13).add(a14).add(a15);
    return sum.reduceLanes(VectorOperators.ADD);
  }
}
