package io.cream.eval;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Default indices of the asked pair in kv retrieval: five positions spread from the first pair to
 * the last.
 *
 * <p>The CREAM paper uses {0,18,37,54,74} for 75 keys and {0,34,69,104,139} for 140. The evenly
 * spaced rule floor(i·(n−1)/4), i = 0..4, reproduces the 140-key list exactly but gives 55, not 54,
 * for 75 keys (round-half-up gives 0,19,37,56,74 and 0,35,70,104,139: neither list). No simple rule
 * reproduces both, so the paper's two lists are kept as they are and every other count uses the
 * floor rule.
 */
public final class GoldPositions {
  private static final Map<Integer, List<Integer>> PAPER = Map.of(
      75, List.of(0, 18, 37, 54, 74),
      140, List.of(0, 34, 69, 104, 139));

  private GoldPositions() {}

  /** The paper's list for 75 and 140 keys, else {@link #evenlySpaced}(n, 5). */
  public static List<Integer> defaults(int keys) {
    return PAPER.getOrDefault(keys, evenlySpaced(keys, 5));
  }

  /** floor(i·(n−1)/(count−1)) for i = 0..count−1, duplicates removed (small n). */
  public static List<Integer> evenlySpaced(int keys, int count) {
    if (count == 1 || keys == 1) return List.of(0);
    return IntStream.range(0, count)
        .map(i -> (int) ((long) i * (keys - 1) / (count - 1)))
        .distinct()
        .boxed()
        .toList();
  }
}
