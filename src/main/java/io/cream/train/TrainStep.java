package io.cream.train;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import io.cream.model.LlamaWeights;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import java.util.List;

/**
 * One optimizer step, as {@link Trainer} takes it and {@code cream bench train} times it: the
 * tokens that carry a loss in the step's micro-batches are counted (and, with several
 * data-parallel ranks, summed over them before any backward, so every rank scales its gradients by
 * 1 / the global count); the gradients are zeroed; each micro-batch runs forward and backward
 * ({@link TrainingPass#forwardBackward}: loss summed over tokens, gradients accumulated); with
 * several ranks the gradients, the loss sum and the count are all-reduced; then one update clips
 * by the global norm and takes the AdamW step through the {@link TrainState}, in one call (one wait
 * on a GPU). A step whose loss is not finite changes no weight and reports the norm alone; a step
 * with no trained token computes nothing.
 *
 * <p>A step is made of the backend it zeroes and measures the gradients on, the pass, the
 * gradients the pass accumulates into, the data-parallel ranks and the update: {@link #adamW} is
 * the trainer's, {@link #clipOnly} a benchmark's without optimizer state.
 */
public record TrainStep(Backend backend, TrainingPass pass, List<Tensor> grads, Collective group, Update update) {
  /** What a step computed: the loss over the counted tokens of all ranks and the norm before clipping. */
  public record Outcome(CrossEntropyLoss loss, double norm) {
    /** Whether loss and norm are finite; otherwise no weight was changed. A step with no trained token is finite. */
    public boolean finite() {
      return !trained() || Double.isFinite(loss.mean()) && Double.isFinite(norm);
    }

    /**
     * Whether any token of the step carried a loss. A step without one (every sample's targets
     * masked: prompt/completion documents whose answers no sample read) computes nothing and
     * changes no weight, as a mixed-precision step that overflows is skipped.
     */
    public boolean trained() {
      return loss.count() > 0;
    }
  }

  /**
   * How a step changes the weights: clips grads by their global norm (when maxNorm > 0 and the
   * norm exceeds it) and updates at step t with cfg; returns the norm before clipping.
   */
  @FunctionalInterface
  public interface Update {
    double apply(List<Tensor> grads, AdamWConfig cfg, long t, double maxNorm);
  }

  /**
   * The training step: pass accumulates into grads, which state's AdamW applies to the weights
   * the pass reads; group is the run's data-parallel ranks ({@link Collective#single()} for one).
   */
  public static TrainStep adamW(Backend backend, TrainingPass pass, LlamaWeights grads, TrainState state,
      Collective group) {
    return new TrainStep(backend, pass, grads.all(), group, state::step);
  }

  /**
   * The same step without optimizer state, for benchmarks of the passes alone: the gradients are
   * clipped by their global norm and no weight changes; one process.
   */
  public static TrainStep clipOnly(Backend backend, TrainingPass pass, LlamaWeights grads) {
    return new TrainStep(backend, pass, grads.all(), Collective.single(), (g, cfg, t, maxNorm) -> {
      double norm = Math.sqrt(backend.sumOfSquares(g));
      if (maxNorm > 0 && norm > maxNorm) g.forEach(x -> backend.scale(x, (float) (maxNorm / norm)));
      return norm;
    });
  }

  /**
   * Takes step t (counted from 1, AdamW's bias correction) over this rank's micro-batches with
   * cfg's learning rate, clipping at maxNorm (0: no clipping).
   */
  public Outcome run(TrainBatch[] micro, AdamWConfig cfg, long t, double maxNorm) {
    long counted = 0;
    for (TrainBatch b : micro) {
      for (int target : b.targets()) if (target >= 0) counted++;
    }
    counted = (long) group.allReduceSum(new double[] {counted})[0]; // the global count
    if (counted == 0) return new Outcome(new CrossEntropyLoss(0, 0), 0.0); // nothing to learn from
    grads.forEach(backend::zero);
    CrossEntropyLoss loss = new CrossEntropyLoss(0, 0);
    for (TrainBatch b : micro) loss = loss.plus(pass.forwardBackward(b, 1f / counted));
    if (group.world() > 1) {
      group.allReduceSum(grads);
      double[] sums = group.allReduceSum(new double[] {loss.sum(), loss.count()});
      loss = new CrossEntropyLoss(sums[0], (long) sums[1]);
    }
    // Clip and step in one call (one wait on a GPU); a non-finite norm changes nothing.
    double norm = Double.isFinite(loss.mean())
        ? update.apply(grads, cfg, t, maxNorm)
        : Math.sqrt(backend.sumOfSquares(grads));
    return new Outcome(loss, norm);
  }
}
