package io.cream.io;

/** Element counts of tensor shapes with overflow checks. */
final class Shapes {
  private Shapes() {}

  /** Product of the dimensions (1 for shape []); throws ArithmeticException on overflow or a negative dim. */
  static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) throw new ArithmeticException("negative dimension " + d);
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
