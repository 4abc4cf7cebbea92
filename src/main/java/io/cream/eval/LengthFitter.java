package io.cream.eval;

import java.util.function.IntUnaryOperator;

/**
 * Finds how many filler units (sentences, lines) make a prompt as long as possible without
 * exceeding a token budget. Token counts are assumed to grow with the number of units; the search
 * gallops out from a hint (the previous answer for the same length) and then bisects, so a good
 * hint costs a handful of tokenizations.
 */
public final class LengthFitter {
  private LengthFitter() {}

  /**
   * The largest n in [0, maxUnits] with tokens(n) ≤ target, or -1 when even n = 0 exceeds it.
   *
   * @param hint a guess of the answer, or a negative number to estimate one from a short prompt
   */
  public static int largestFitting(IntUnaryOperator tokens, int target, int maxUnits, int hint) {
    if (maxUnits < 0) throw new IllegalArgumentException("maxUnits < 0");
    int probe = hint >= 0 ? Math.min(hint, maxUnits) : estimate(tokens, target, maxUnits);
    int lo = -1; // largest n known to fit
    int hi = maxUnits + 1; // smallest n known not to fit
    if (tokens.applyAsInt(probe) <= target) {
      lo = probe;
      for (int step = 1; lo < maxUnits; step *= 2) {
        int p = (int) Math.min(maxUnits, (long) lo + step);
        if (tokens.applyAsInt(p) <= target) {
          lo = p;
        } else {
          hi = p;
          break;
        }
      }
    } else {
      hi = probe;
      for (int step = 1; hi > 0; step *= 2) {
        int p = Math.max(0, hi - step);
        if (tokens.applyAsInt(p) <= target) {
          lo = p;
          break;
        }
        hi = p;
      }
    }
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (tokens.applyAsInt(mid) <= target) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** Guesses n from the token cost of an empty prompt and of a few dozen units. */
  private static int estimate(IntUnaryOperator tokens, int target, int maxUnits) {
    int sample = Math.min(64, maxUnits);
    int base = tokens.applyAsInt(0);
    if (sample == 0 || base > target) return 0;
    double perUnit = Math.max(1e-3, (tokens.applyAsInt(sample) - base) / (double) sample);
    return (int) Math.min(maxUnits, Math.max(0, Math.floor((target - base) / perUnit)));
  }
}
