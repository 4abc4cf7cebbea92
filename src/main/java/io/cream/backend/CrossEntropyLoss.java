package io.cream.backend;

/**
 * The summed negative log-likelihood over the rows whose target was not ignored, and their count.
 * Sums (not means) so that losses of micro-batches and data-parallel ranks add up exactly.
 */
public record CrossEntropyLoss(double sum, long count) {
  /** Mean loss per counted token; NaN when nothing was counted. */
  public double mean() {
    return count == 0 ? Double.NaN : sum / count;
  }

  public CrossEntropyLoss plus(CrossEntropyLoss other) {
    return new CrossEntropyLoss(sum + other.sum, count + other.count);
  }
}
