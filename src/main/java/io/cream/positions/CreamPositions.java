package io.cream.positions;

/**
 * CREAM's position ids for a given branch, ratio and middle end (docs/method.md §1, steps 1, 3, 4),
 * with no randomness: the sampler draws the choices, this class turns them into ids. Tests inject
 * the choices directly.
 *
 * <p>Head H = T = ⌊N/3⌋ (b = 0, relativity) or 4f (b = 1, continuity); L_m = N − 2H. For α = r/2,
 * the middle end P_e lies in [⌊H + (L_m − 1)·α⌋, ⌊α·N⌋ − T − 1] (the reference computes the lower
 * bound in floating point and truncates; α·N is an integer for even N, odd N rounds down). Ids are
 * [0 … H−1] ⧺ [P_e − L_m + 1 … P_e] ⧺ [S − T … S − 1].
 */
public final class CreamPositions {
  private CreamPositions() {}

  /** H (= T) for a branch: ⌊N/3⌋ for relativity (0), 4f for continuity (1). */
  public static int headLength(int window, int factor, int branch) {
    return switch (branch) {
      case 0 -> window / 3;
      case 1 -> 4 * factor;
      default -> throw new IllegalArgumentException("branch must be 0 or 1, got " + branch);
    };
  }

  /** L_m = N − 2H. */
  public static int middleLength(int window, int factor, int branch) {
    return window - 2 * headLength(window, factor, branch);
  }

  /** The smallest middle end for ratio r: ⌊H + (L_m − 1)·r/2⌋, computed exactly in integers. */
  public static int lowestMiddleEnd(int window, int factor, int branch, int ratioR) {
    long head = headLength(window, factor, branch);
    long middle = middleLength(window, factor, branch);
    return Math.toIntExact(Math.floorDiv(2 * head + (middle - 1) * ratioR, 2));
  }

  /** The largest middle end for ratio r: ⌊r·N/2⌋ − T − 1. */
  public static int highestMiddleEnd(int window, int factor, int branch, int ratioR) {
    long tail = headLength(window, factor, branch);
    return Math.toIntExact(Math.floorDiv((long) ratioR * window, 2) - tail - 1);
  }

  /**
   * Builds the sample for injected choices. A configuration that cannot hold (f &lt; 2, N &lt; 3,
   * continuity with 8f ≥ N) is a UserError; a branch, ratio or middle end outside its range is an
   * IllegalArgumentException naming the allowed range.
   */
  public static PositionSample build(int window, int factor, int branch, int ratioR, int middleEnd) {
    int span = SamplerChecks.targetSpan(PositionMethod.CREAM, window, factor);
    if (branch == 1) SamplerChecks.requireContinuityFits(window, factor);
    int head = headLength(window, factor, branch);
    int middle = window - 2 * head;
    if (ratioR < 2 || ratioR > 2 * factor) {
      throw new IllegalArgumentException(
          "ratio r must be in [2, " + 2 * factor + "] for factor " + factor + ", got " + ratioR);
    }
    int lowest = lowestMiddleEnd(window, factor, branch, ratioR);
    int highest = highestMiddleEnd(window, factor, branch, ratioR);
    if (middleEnd < lowest || middleEnd > highest) {
      throw new IllegalArgumentException("middle end must be in [" + lowest + ", " + highest
          + "] for window " + window + ", factor " + factor + ", branch " + branch + ", r "
          + ratioR + "; got " + middleEnd);
    }
    int middleStart = middleEnd - middle + 1;
    int[] ids = new int[window];
    for (int i = 0; i < head; i++) ids[i] = i;
    for (int i = 0; i < middle; i++) ids[head + i] = middleStart + i;
    int tailStart = span - head;
    for (int i = 0; i < head; i++) ids[head + middle + i] = tailStart + i;
    return new PositionSample(
        PositionMethod.CREAM, branch, head, head, ratioR, middleStart, middleEnd, ids);
  }
}
