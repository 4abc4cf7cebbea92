package io.cream.backend.cpu;

import io.cream.backend.AttentionShape;
import io.cream.backend.Tensor;
import io.cream.util.Parallel;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Not a test: timings for the attention kernel choices and for long prefills. Run with
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes \
 *   io.cream.backend.cpu.CpuAttentionBenchmark [seqLen] [heads] [kvHeads] [headDim] [backward]
 * </pre>
 * Without arguments it compares tile products (d = 64 and 128) and times a 4K prefill.
 */
public final class CpuAttentionBenchmark {
  private CpuAttentionBenchmark() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      for (int d : new int[] {64, 128}) tileProducts(d);
      prefill(2048, 8, 8, 64, true);
      prefill(4096, 8, 8, 64, true);
      return;
    }
    int heads = Integer.parseInt(args[1]), kvHeads = Integer.parseInt(args[2]);
    int headDim = Integer.parseInt(args[3]);
    boolean backward = args.length > 4 && Boolean.parseBoolean(args[4]);
    prefill(2048, heads, kvHeads, headDim, backward); // compiles the kernels first
    prefill(Integer.parseInt(args[0]), heads, kvHeads, headDim, backward);
  }

  /** S = Q·Kᵀ on one 64×64 tile three ways, single-threaded; GFLOP/s of each. */
  static void tileProducts(int d) {
    int bq = 64, bk = 64;
    float[] q = random(1, bq * d), k = random(2, bk * d), kt = new float[d * bk];
    float[] s = new float[bq * bk];
    int reps = 20_000;
    double flops = 2.0 * bq * bk * d * reps;
    for (int round = 0; round < 3; round++) {
      long t0 = System.nanoTime();
      for (int r = 0; r < reps; r++) {
        TileMatmul.transpose(k, 0, d, bk, d, kt, 0, bk);
        TileMatmul.mul(bq, bk, d, q, 0, d, 1, kt, 0, bk, s, 0, bk, false);
      }
      long t1 = System.nanoTime();
      for (int r = 0; r < reps; r++) dotTile(q, k, s, bq, bk, d);
      long t2 = System.nanoTime();
      for (int r = 0; r < reps / 10; r++) {
        Gemm.gemm(false, true, bq, bk, d, q, 0, d, k, 0, d, s, 0, bk, false);
      }
      long t3 = System.nanoTime();
      if (round == 2) {
        System.out.printf("d=%d tile 64x64: TileMatmul %.1f GFLOP/s, vector dots %.1f, Gemm %.1f%n",
            d, flops / (t1 - t0), flops / (t2 - t1), flops / 10 / (t3 - t2));
      }
    }
  }

  /** One Vector API dot product per (query, key) pair, reduced across lanes each time. */
  private static void dotTile(float[] q, float[] k, float[] s, int bq, int bk, int d) {
    for (int i = 0; i < bq; i++) {
      for (int j = 0; j < bk; j++) {
        FloatVector acc = FloatVector.zero(Vec.F);
        for (int p = 0; p < d; p += Vec.L) {
          acc = FloatVector.fromArray(Vec.F, q, i * d + p)
              .fma(FloatVector.fromArray(Vec.F, k, j * d + p), acc);
        }
        s[i * bk + j] = acc.reduceLanes(VectorOperators.ADD);
      }
    }
  }

  static void prefill(int seqLen, int heads, int kvHeads, int headDim, boolean backward) {
    CpuBackend be = new CpuBackend();
    AttentionShape s = AttentionShape.causal(1, heads, kvHeads, headDim, seqLen);
    Tensor q = be.upload(random(3, s.queryRows() * s.queryCols()), s.queryRows(), s.queryCols());
    Tensor k = be.upload(random(4, s.kvRows() * s.kvCols()), s.kvRows(), s.kvCols());
    Tensor v = be.upload(random(5, s.kvRows() * s.kvCols()), s.kvRows(), s.kvCols());
    Tensor out = be.zeros(s.queryRows(), s.queryCols());
    Tensor lse = be.zeros(s.queryRows(), s.heads());
    Tensor dq = be.zeros(s.queryRows(), s.queryCols());
    Tensor dk = be.zeros(s.kvRows(), s.kvCols());
    Tensor dv = be.zeros(s.kvRows(), s.kvCols());
    // Causal: half of the T×T score matrix, two products of headDim each (QKᵀ and PV).
    double flops = 2.0 * 2 * heads * headDim * (double) seqLen * (seqLen + 1) / 2;
    long c0 = cpuNanos(), t0 = System.nanoTime();
    be.attention(s, q, k, v, out, lse);
    long c1 = cpuNanos(), t1 = System.nanoTime();
    if (backward) be.attentionBackward(s, q, k, v, out, lse, out, dq, dk, dv);
    long c2 = cpuNanos(), t2 = System.nanoTime();
    // CPU seconds matter on a shared machine: wall time there depends on the neighbours' load.
    System.out.printf("T=%d heads=%d kvHeads=%d d=%d threads=%d: forward %.2f s wall, %.2f s CPU"
        + " (%.1f GFLOP/s per CPU-second)", seqLen, heads, kvHeads, headDim, Parallel.threads(),
        (t1 - t0) / 1e9, (c1 - c0) / 1e9, flops / (c1 - c0));
    if (backward) {
      System.out.printf("; backward %.2f s wall, %.2f s CPU", (t2 - t1) / 1e9, (c2 - c1) / 1e9);
    }
    System.out.printf("; heap used %.0f MB%n", usedMb());
  }

  private static long cpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
  }

  private static double usedMb() {
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / 1e6;
  }

  private static float[] random(long seed, int n) {
    Random r = new Random(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
    return x;
  }
}
