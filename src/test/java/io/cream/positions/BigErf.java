package io.cream.positions;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A slow, obviously-correct reference for erf/erfc in 120-digit decimal arithmetic: the Maclaurin
 * series erf(x) = (2/√π)·Σ (−1)^n x^{2n+1} / (n!·(2n+1)), with π from Machin's formula. The
 * alternating series cancels badly for large x, which the 120 digits absorb (terms stay below 1e30
 * for |x| ≤ 8.5).
 */
final class BigErf {
  private static final MathContext MC = new MathContext(120, RoundingMode.HALF_EVEN);
  private static final BigDecimal PI = machinPi();
  private static final BigDecimal TWO_OVER_SQRT_PI =
      BigDecimal.TWO.divide(PI.sqrt(MC), MC);
  private static final BigDecimal STOP = new BigDecimal("1e-80");

  private BigErf() {}

  static BigDecimal erf(double x) {
    return erfDecimal(new BigDecimal(x));
  }

  static BigDecimal erfc(double x) {
    return BigDecimal.ONE.subtract(erf(x), MC);
  }

  /** Φ(z) = ½·erfc(−z/√2), with z/√2 taken exactly in decimal (so only the reference's digits matter). */
  static double normalCdf(double z) {
    BigDecimal arg = new BigDecimal(-z).divide(BigDecimal.TWO.sqrt(MC), MC);
    return BigDecimal.ONE.subtract(erfDecimal(arg), MC).divide(BigDecimal.TWO, MC).doubleValue();
  }

  private static BigDecimal erfDecimal(BigDecimal bx) {
    BigDecimal x2 = bx.multiply(bx, MC);
    double xSquared = x2.doubleValue();
    BigDecimal power = bx;
    BigDecimal sum = BigDecimal.ZERO;
    for (int n = 0; n < 10_000; n++) {
      BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
      sum = sum.add(term, MC);
      if (n > 2 * xSquared && term.abs().compareTo(STOP) < 0) break;
      power = power.multiply(x2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
    }
    return TWO_OVER_SQRT_PI.multiply(sum, MC);
  }

  /** π = 16·atan(1/5) − 4·atan(1/239). */
  private static BigDecimal machinPi() {
    return atanOfInverse(5).multiply(BigDecimal.valueOf(16), MC)
        .subtract(atanOfInverse(239).multiply(BigDecimal.valueOf(4), MC), MC);
  }

  /** atan(1/k) = Σ (−1)^n / ((2n+1)·k^{2n+1}). */
  private static BigDecimal atanOfInverse(int k) {
    BigDecimal kk = BigDecimal.valueOf((long) k * k);
    BigDecimal power = BigDecimal.ONE.divide(BigDecimal.valueOf(k), MC);
    BigDecimal sum = BigDecimal.ZERO;
    for (int n = 0; power.compareTo(new BigDecimal("1e-130")) > 0; n++) {
      BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
      sum = (n % 2 == 0) ? sum.add(term, MC) : sum.subtract(term, MC);
      power = power.divide(kk, MC);
    }
    return sum;
  }
}
