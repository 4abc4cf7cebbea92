package io.cream.backend;

import java.util.List;

/**
 * The ranks of a data-parallel run and the one collective they need: an element-wise sum over all
 * ranks, of device tensors in place (gradients) and of a few host numbers (token counts, loss
 * sums). Every rank must make the same calls in the same order with the same shapes; each call
 * returns on every rank with the same result, so ranks that start equal stay equal.
 * {@link #single()} is the one-process group, where every sum is the value itself.
 */
public interface Collective extends AutoCloseable {

  /** This process's rank, 0 ≤ rank < world; rank 0 writes the run's files. */
  int rank();

  /** The number of ranks. */
  int world();

  /** Each tensor ← the element-wise sum of that tensor over all ranks (same shapes everywhere). */
  void allReduceSum(List<Tensor> tensors);

  /** The element-wise sum of values over all ranks (same length everywhere), in float64. */
  double[] allReduceSum(double[] values);

  @Override
  void close();

  /** The group of one process: sums are identities and nothing is communicated. */
  static Collective single() {
    return Single.INSTANCE;
  }

  /** The one-process group. */
  enum Single implements Collective {
    INSTANCE;

    @Override
    public int rank() {
      return 0;
    }

    @Override
    public int world() {
      return 1;
    }

    @Override
    public void allReduceSum(List<Tensor> tensors) {}

    @Override
    public double[] allReduceSum(double[] values) {
      return values.clone();
    }

    @Override
    public void close() {}
  }
}
