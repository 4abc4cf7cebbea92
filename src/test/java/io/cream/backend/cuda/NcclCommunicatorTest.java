package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cream.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * NCCL sums on real GPUs: one rank (identity) on GPU 0, and two ranks as two threads of this JVM
 * on GPUs 0 and 1 (skipped with fewer GPUs). Needs NCCL and NCCL_NVLS_ENABLE=0.
 */
@Tag("gpu")
class NcclCommunicatorTest {
  private static void assumeNccl(int gpus) {
    assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA: " + CudaBackend.unavailableReason());
    assumeTrue(NcclCommunicator.isAvailable(), () -> "no NCCL: " + NcclCommunicator.unavailableReason());
    assumeTrue("0".equals(System.getenv("NCCL_NVLS_ENABLE")), "NCCL_NVLS_ENABLE=0 is not set");
    assumeTrue(CudaBackend.deviceCount() >= gpus, () -> "fewer than " + gpus + " GPUs");
  }

  private static float[] random(long seed, int n) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (rng.nextGaussian() * (1 + rng.nextInt(100)));
    return a;
  }

  @Test
  void oneRankSumsAreTheValuesThemselves() {
    assumeNccl(1);
    try (CudaBackend be = new CudaBackend(0);
        NcclCommunicator c = NcclCommunicator.join(be, 0, 1, NcclCommunicator.newUniqueId())) {
      float[] x = random(1, 1000);
      Tensor t = be.upload(x, 40, 25);
      c.allReduceSum(List.of(t));
      assertArrayEquals(x, be.download(t), 0f);
      double[] v = {1.5, -2e300, 7};
      assertArrayEquals(v, c.allReduceSum(v), 0.0);
      assertEquals(1, c.world());
    }
  }

  @Test
  void twoRanksGetTheSameSums() throws Exception {
    assumeNccl(2);
    byte[] id = NcclCommunicator.newUniqueId();
    int[][] shapes = {{3, 5}, {256, 384}, {1, 1_000_003}};
    ExecutorService pool = Executors.newFixedThreadPool(2, job -> {
      Thread t = new Thread(job, "nccl-rank");
      t.setDaemon(true); // a rank stuck in NCCL must not keep the JVM alive
      return t;
    });
    try {
      List<CompletableFuture<List<float[]>>> ranks = new ArrayList<>();
      List<CompletableFuture<double[]>> scalars = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        int rank = r;
        CompletableFuture<double[]> sc = new CompletableFuture<>();
        scalars.add(sc);
        ranks.add(CompletableFuture.supplyAsync(() -> {
          try (CudaBackend be = new CudaBackend(rank);
              NcclCommunicator c = NcclCommunicator.join(be, rank, 2, id)) {
            List<Tensor> ts = new ArrayList<>();
            for (int s = 0; s < shapes.length; s++) {
              ts.add(be.upload(random(100 * rank + s, shapes[s][0] * shapes[s][1]), shapes[s][0], shapes[s][1]));
            }
            c.allReduceSum(ts);
            sc.complete(c.allReduceSum(new double[] {rank + 0.25, 1e-300 * (rank + 1), 3}));
            return ts.stream().map(be::download).toList();
          }
        }, pool));
      }
      List<float[]> r0 = ranks.get(0).get(120, TimeUnit.SECONDS);
      List<float[]> r1 = ranks.get(1).get(120, TimeUnit.SECONDS);
      for (int s = 0; s < shapes.length; s++) {
        float[] a = random(s, r0.get(s).length), b = random(100 + s, r0.get(s).length);
        double diff = 0, ref = 0;
        for (int i = 0; i < a.length; i++) {
          double want = (double) a[i] + b[i];
          diff += (r0.get(s)[i] - want) * (r0.get(s)[i] - want);
          ref += want * want;
        }
        double rel = Math.sqrt(diff / ref);
        GpuReport.record("nccl allReduce sum " + shapes[s][0] + "×" + shapes[s][1], rel, 1e-7);
        assertTrue(rel <= 1e-7, "rel " + rel);
        assertArrayEquals(r0.get(s), r1.get(s), 0f, "both ranks hold the same bits");
      }
      double[] want = {0.25 + 1.25, 1e-300 + 2e-300, 6};
      assertArrayEquals(want, scalars.get(0).get(), 0.0);
      assertArrayEquals(want, scalars.get(1).get(), 0.0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aTensorOfAnotherBackendIsRefused() {
    assumeNccl(1);
    try (CudaBackend be = new CudaBackend(0);
        NcclCommunicator c = NcclCommunicator.join(be, 0, 1, NcclCommunicator.newUniqueId());
        io.cream.backend.cpu.CpuBackend cpu = new io.cream.backend.cpu.CpuBackend()) {
      Tensor t = cpu.upload(random(3, 4), 2, 2);
      assertThrows(IllegalArgumentException.class, () -> c.allReduceSum(List.of(t)));
    }
  }
}
