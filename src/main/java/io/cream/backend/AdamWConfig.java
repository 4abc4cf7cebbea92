package io.cream.backend;

/**
 * AdamW hyper-parameters (Loshchilov and Hutter): weight decay is decoupled from the gradient, i.e.
 * p ← p − lr·weightDecay·p before the Adam step, and moments are bias-corrected.
 */
public record AdamWConfig(float lr, float beta1, float beta2, float eps, float weightDecay) {
  public AdamWConfig {
    if (!(lr >= 0) || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1) || !(eps > 0)
        || !(weightDecay >= 0)) {
      throw new IllegalArgumentException("AdamW needs lr ≥ 0, 0 ≤ beta1, beta2 < 1, eps > 0,"
          + " weightDecay ≥ 0; got " + lr + ", " + beta1 + ", " + beta2 + ", " + eps + ", "
          + weightDecay);
    }
  }

  /**
   * The per-step constants every AdamW implementation (CPU, host offload, CUDA) uses: computed in
   * double and rounded once, since for β2 = 0.999 and small t the bias corrections 1 − βᵗ are tiny
   * and lose precision in float; one place so that the implementations stay bit-identical.
   *
   * @param decay 1 − lr·weightDecay (decoupled weight decay)
   * @param stepSize lr / (1 − β1ᵗ)
   * @param invSqrtBc2 1 / √(1 − β2ᵗ)
   */
  public record Step(float decay, float stepSize, float invSqrtBc2) {}

  /** The constants of step t ≥ 1. */
  public Step step(long t) {
    return new Step((float) (1.0 - (double) lr * weightDecay),
        (float) (lr / (1.0 - Math.pow(beta1, t))),
        (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, t))));
  }

  /** The same settings with another learning rate (schedules change lr every step). */
  public AdamWConfig withLr(float newLr) {
    return new AdamWConfig(newLr, beta1, beta2, eps, weightDecay);
  }
}
