package io.cream.rope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Helpers shared by the RoPE tests. */
final class RopeAssertions {
  private RopeAssertions() {}

  /**
   * θ_i = b^(−2i/d) computed as exp(−(2i/d)·ln b): a different route from the production
   * Math.pow, so the tests do not just replay the code under test.
   */
  static double theta(int i, int headDim, double base) {
    return Math.exp(-(2.0 * i / headDim) * Math.log(base));
  }

  /** |actual − expected| ≤ rel·|expected|, NaN never passes. */
  static void assertClose(double expected, double actual, double rel, String what) {
    assertTrue(!Double.isNaN(actual) && Math.abs(actual - expected) <= rel * Math.abs(expected),
        what + ": expected " + expected + ", got " + actual);
  }

  /** Element-wise {@link #assertClose} over two arrays of equal length. */
  static void assertAllClose(double[] expected, double[] actual, double rel, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) assertClose(expected[i], actual[i], rel, what + "[" + i + "]");
  }
}
