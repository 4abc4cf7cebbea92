package io.cream.model;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Picks the next token from a row of logits: greedy (temperature 0) or nucleus (top-p) sampling
 * at a temperature. Runs on the host: one row of V floats.
 */
public final class Sampler {
  private final double temperature;
  private final double topP;
  private final RandomGenerator rng;

  public Sampler(double temperature, double topP, RandomGenerator rng) {
    if (!(temperature >= 0) || !(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("need temperature ≥ 0 and 0 < top-p ≤ 1");
    }
    this.temperature = temperature;
    this.topP = topP;
    this.rng = rng;
  }

  public static Sampler greedy() {
    return new Sampler(0, 1, null);
  }

  public int next(float[] logits) {
    if (temperature == 0) return argmax(logits);
    int v = logits.length;
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) max = Math.max(max, l);
    double[] p = new double[v];
    double sum = 0;
    for (int i = 0; i < v; i++) {
      p[i] = Math.exp((logits[i] - max) / temperature);
      sum += p[i];
    }
    Integer[] order = new Integer[v];
    for (int i = 0; i < v; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    // Keep the smallest prefix whose mass reaches top-p, then sample inside it.
    double kept = 0;
    int n = 0;
    while (n < v && kept < topP * sum) kept += p[order[n++]];
    double u = rng.nextDouble() * kept;
    for (int i = 0; i < n; i++) {
      u -= p[order[i]];
      if (u <= 0) return order[i];
    }
    return order[n - 1];
  }

  /** Index of the largest logit, the first on ties. */
  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
}
