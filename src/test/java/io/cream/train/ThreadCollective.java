package io.cream.train;

import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.backend.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Collective} of threads in one JVM (the CPU stand-in for NCCL in tests): every rank
 * posts its values, waits for the others, and adds all ranks' values in rank order itself, so
 * every rank gets the same bits, as NCCL gives them.
 */
final class ThreadCollective implements Collective {
  private final int rank;
  private final Backend backend;
  private final CyclicBarrier barrier;
  private final Object[] posted;

  private ThreadCollective(int rank, Backend backend, CyclicBarrier barrier, Object[] posted) {
    this.rank = rank;
    this.backend = backend;
    this.barrier = barrier;
    this.posted = posted;
  }

  /** One member per backend; rank r's tensors live on backends.get(r). */
  static List<ThreadCollective> group(List<? extends Backend> backends) {
    CyclicBarrier barrier = new CyclicBarrier(backends.size());
    Object[] posted = new Object[backends.size()];
    List<ThreadCollective> out = new ArrayList<>();
    for (int r = 0; r < backends.size(); r++) {
      out.add(new ThreadCollective(r, backends.get(r), barrier, posted));
    }
    return out;
  }

  /** Breaks the barrier so that ranks waiting for a failed one fail too instead of hanging. */
  void abort() {
    barrier.reset();
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int world() {
    return posted.length;
  }

  @Override
  public void allReduceSum(List<Tensor> tensors) {
    float[][] mine = new float[tensors.size()][];
    for (int i = 0; i < mine.length; i++) mine[i] = backend.download(tensors.get(i));
    posted[rank] = mine;
    await();
    for (int i = 0; i < mine.length; i++) {
      float[] sum = new float[mine[i].length];
      for (Object p : posted) {
        float[] part = ((float[][]) p)[i];
        for (int j = 0; j < sum.length; j++) sum[j] += part[j];
      }
      backend.write(tensors.get(i), sum);
    }
    await(); // nobody posts again before everyone has read
  }

  @Override
  public double[] allReduceSum(double[] values) {
    posted[rank] = values.clone();
    await();
    double[] sum = new double[values.length];
    for (Object p : posted) {
      double[] part = (double[]) p;
      for (int j = 0; j < sum.length; j++) sum[j] += part[j];
    }
    await();
    return sum;
  }

  @Override
  public void close() {}

  private void await() {
    try {
      barrier.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
      throw new IllegalStateException("rank " + rank + ": another rank failed or hung", e);
    }
  }
}
