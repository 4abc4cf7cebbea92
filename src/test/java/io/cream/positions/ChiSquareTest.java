package io.cream.positions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The test helper checked against distributions with closed forms, so its quantiles can be trusted. */
class ChiSquareTest {
  @Test
  void twoDegreesOfFreedomIsExponential() {
    // χ²(2) has CDF 1 − e^{−x/2}: the p-quantile is −2·ln(1 − p).
    for (double p : new double[] {0.5, 0.9, 0.999, 0.999999}) {
      assertEquals(-2 * Math.log1p(-p), ChiSquare.quantile(p, 2), 1e-9);
    }
  }

  @Test
  void fourDegreesOfFreedomMatchesClosedForm() {
    // χ²(4): CDF 1 − e^{−x/2}(1 + x/2).
    for (double x : new double[] {0.3, 1.7, 4.0, 9.5, 25.0, 60.0}) {
      double expected = 1 - Math.exp(-x / 2) * (1 + x / 2);
      assertEquals(expected, ChiSquare.cdf(x, 4), 1e-13);
    }
  }

  @Test
  void oneDegreeOfFreedomIsASquaredNormal() {
    // χ²(1): P(Z² ≤ x) = erf(√(x/2)); reference erf from the 120-digit series.
    for (double x : new double[] {0.01, 0.5, 2.0, 3.84, 10.83, 30.0}) {
      double expected = BigErf.erf(Math.sqrt(x / 2)).doubleValue();
      assertEquals(expected, ChiSquare.cdf(x, 1), 1e-13);
    }
  }

  @Test
  void quantileInvertsCdfForManyDegreesOfFreedom() {
    for (int df = 1; df <= 70; df += 3) {
      double q = ChiSquare.quantile(0.999, df);
      assertEquals(0.999, ChiSquare.cdf(q, df), 1e-12);
    }
  }
}
