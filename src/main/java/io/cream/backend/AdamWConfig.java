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

  /** The same settings with another learning rate (schedules change lr every step). */
  public AdamWConfig withLr(float newLr) {
    return new AdamWConfig(newLr, beta1, beta2, eps, weightDecay);
  }
}
