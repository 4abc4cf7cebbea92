package io.cream.train;

import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.backend.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * Data-parallel ranks must hold bit-identical weights (they apply the same summed gradients with
 * the same deterministic kernels). At each save every rank reduces its weights to one number, the
 * numbers are gathered (a sum of vectors that are zero but at the own rank's slot), and every rank
 * compares them: a mismatch stops the run before a diverged model is written.
 */
final class ReplicaCheck {
  private ReplicaCheck() {}

  /** Throws IllegalStateException on every rank when the ranks' weights differ; else the digest. */
  static double require(Collective group, Backend backend, List<Tensor> params, int step) {
    return require(group, digest(backend, params), step);
  }

  /** The same with this rank's digest computed already (see {@link TrainState#digest}). */
  static double require(Collective group, double digest, int step) {
    double[] slots = new double[group.world()];
    slots[group.rank()] = digest;
    double[] all = group.allReduceSum(slots);
    for (double d : all) {
      if (Double.compare(d, all[0]) != 0) {
        throw new IllegalStateException("the GPUs' weights differ after step " + step
            + " (digests " + Arrays.toString(all) + "); data-parallel ranks must stay identical —"
            + " this is a bug, please report it with the command line");
      }
    }
    return all[0];
  }

  /** Σ over tensors of (i + 1)·Σ w² — deterministic on a given backend, order-sensitive. */
  static double digest(Backend backend, List<Tensor> params) {
    double d = 0;
    for (int i = 0; i < params.size(); i++) d += (i + 1) * backend.sumOfSquares(params.get(i));
    return d;
  }
}
