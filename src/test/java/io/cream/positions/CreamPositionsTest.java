package io.cream.positions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The worked examples of docs/method.md §1, with the branch, r and middle end injected. */
class CreamPositionsTest {

  /** [first … last] inclusive. */
  private static int[] range(int first, int last) {
    return IntStream.rangeClosed(first, last).toArray();
  }

  private static int[] concat(int[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
  }

  @Test
  void continuityRatioNineAt4096() {
    assertEquals(18171, CreamPositions.lowestMiddleEnd(4096, 8, 1, 9));
    assertEquals(18399, CreamPositions.highestMiddleEnd(4096, 8, 1, 9));
    PositionSample s = CreamPositions.build(4096, 8, 1, 9, 18300);
    assertArrayEquals(concat(range(0, 31), range(14269, 18300), range(32736, 32767)), s.positions());
    assertEquals(32, s.head());
    assertEquals(32, s.tail());
    assertEquals(14269, s.middleStart());
    assertEquals(18300, s.middleEnd());
    assertEquals(9, s.ratioR());
    assertEquals(1, s.branch());
    assertEquals(PositionMethod.CREAM, s.method());
  }

  @Test
  void relativityRatioThreeAt4096() {
    assertEquals(1365, CreamPositions.headLength(4096, 8, 0));
    assertEquals(1366, CreamPositions.middleLength(4096, 8, 0));
    assertEquals(3412, CreamPositions.lowestMiddleEnd(4096, 8, 0, 3));
    assertEquals(4778, CreamPositions.highestMiddleEnd(4096, 8, 0, 3));
    // Both ends of the range build; one past either end is rejected.
    PositionSample low = CreamPositions.build(4096, 8, 0, 3, 3412);
    assertArrayEquals(concat(range(0, 1364), range(2047, 3412), range(31403, 32767)), low.positions());
    PositionSample high = CreamPositions.build(4096, 8, 0, 3, 4778);
    assertEquals(3413, high.middleStart());
    assertThrows(IllegalArgumentException.class, () -> CreamPositions.build(4096, 8, 0, 3, 3411));
    assertThrows(IllegalArgumentException.class, () -> CreamPositions.build(4096, 8, 0, 3, 4779));
  }

  @Test
  void continuityRatioTwoHasExactlyOneMiddleEnd() {
    assertEquals(4063, CreamPositions.lowestMiddleEnd(4096, 8, 1, 2));
    assertEquals(4063, CreamPositions.highestMiddleEnd(4096, 8, 1, 2));
    PositionSample s = CreamPositions.build(4096, 8, 1, 2, 4063);
    assertArrayEquals(concat(range(0, 4063), range(32736, 32767)), s.positions());
  }

  @Test
  void window256Examples() {
    assertEquals(32, CreamPositions.headLength(256, 8, 1));
    assertEquals(192, CreamPositions.middleLength(256, 8, 1));
    assertEquals(85, CreamPositions.headLength(256, 8, 0));
    assertEquals(86, CreamPositions.middleLength(256, 8, 0));
    PositionSample s = CreamPositions.build(256, 8, 1, 9, 1000);
    assertArrayEquals(concat(range(0, 31), range(809, 1000), range(2016, 2047)), s.positions());
    // Relativity: tail [1963 … 2047] whatever r and P_e.
    for (int r = 2; r <= 16; r++) {
      int end = CreamPositions.highestMiddleEnd(256, 8, 0, r);
      int[] ids = CreamPositions.build(256, 8, 0, r, end).positions();
      assertArrayEquals(range(1963, 2047), java.util.Arrays.copyOfRange(ids, 171, 256));
    }
  }

  @Test
  void oddWindowRoundsTheUpperBoundDown() {
    // N = 301, b = 0: H = 100, L_m = 101; r = 3 → [⌊100 + 100·1.5⌋, ⌊451.5⌋ − 101] = [250, 350].
    assertEquals(250, CreamPositions.lowestMiddleEnd(301, 2, 0, 3));
    assertEquals(350, CreamPositions.highestMiddleEnd(301, 2, 0, 3));
    // The range is never empty: every r, both branches, many odd and even windows.
    for (int n = 3; n <= 200; n++) {
      for (int f = 2; f <= 6; f++) {
        for (int b = 0; b <= 1; b++) {
          if (b == 1 && 8 * f >= n) continue;
          for (int r = 2; r <= 2 * f; r++) {
            int lo = CreamPositions.lowestMiddleEnd(n, f, b, r);
            int hi = CreamPositions.highestMiddleEnd(n, f, b, r);
            assertTrue(lo <= hi, "empty range at n=" + n + " f=" + f + " b=" + b + " r=" + r);
            CreamPositions.build(n, f, b, r, lo);
            CreamPositions.build(n, f, b, r, hi);
          }
        }
      }
    }
  }

  @Test
  void badChoicesAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> CreamPositions.build(4096, 8, 2, 9, 18300));
    assertThrows(IllegalArgumentException.class, () -> CreamPositions.build(4096, 8, 1, 1, 4063));
    assertThrows(IllegalArgumentException.class, () -> CreamPositions.build(4096, 8, 1, 17, 30000));
    UserError negativeMiddle = assertThrows(UserError.class, () -> CreamPositions.build(64, 8, 1, 2, 40));
    assertTrue(negativeMiddle.getMessage().contains("8·factor < window"), negativeMiddle.getMessage());
    assertThrows(UserError.class, () -> CreamPositions.build(4096, 1, 0, 2, 3000));
    assertThrows(UserError.class, () -> CreamPositions.build(2, 8, 0, 2, 0));
  }

  @Test
  void tokensFollowTheMiddleWhenItFitsBeforeTheTail() {
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, 256, 8, 3.0);
    PositionSample s = CreamPositions.build(256, 8, 1, 9, 1000);
    int[] tokens = sampler.selectTokens(s, 5000, new SplittableRandom(1));
    assertArrayEquals(concat(range(0, 31), range(809, 1000), range(4968, 4999)), tokens);
    // P_e = 1000 < n − T = 1001 still fits.
    assertArrayEquals(concat(range(0, 31), range(809, 1000), range(1001, 1032)),
        sampler.selectTokens(s, 1033, new SplittableRandom(1)));
  }

  @Test
  void tokensFallBackBeforeTheTailWhenTheMiddleWouldNotFit() {
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, 256, 8, 3.0);
    PositionSample s = CreamPositions.build(256, 8, 1, 9, 1000);
    // P_e ≥ n: the reference's fallback, the L_m tokens before the last T.
    assertArrayEquals(concat(range(0, 31), range(776, 967), range(968, 999)),
        sampler.selectTokens(s, 1000, new SplittableRandom(1)));
    // n − T ≤ P_e < n: the reference would overlap the tail; we fall back too.
    assertArrayEquals(concat(range(0, 31), range(777, 968), range(969, 1000)),
        sampler.selectTokens(s, 1001, new SplittableRandom(1)));
    // The shortest document CREAM accepts, N + 1 tokens.
    assertArrayEquals(concat(range(0, 31), range(33, 224), range(225, 256)),
        sampler.selectTokens(s, 257, new SplittableRandom(1)));
    assertThrows(IllegalArgumentException.class, () -> sampler.selectTokens(s, 256, new SplittableRandom(1)));
  }
}
