package io.cream.positions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** erf, erfc and Φ against the 120-digit reference, far tails included. */
class GaussianTest {
  private static void assertRelative(double expected, double actual, double tolerance, String what) {
    assertTrue(!Double.isNaN(actual), what + " is NaN");
    double rel = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(rel <= tolerance, what + ": got " + actual + ", expected " + expected + ", rel " + rel);
  }

  @Test
  void erfcIsAccurateFromTheMiddleToTheFarTail() {
    // A sweep with an irrational step, plus the points where the method switches.
    for (double x = -6.0; x <= 8.5; x += 0.1234567) checkErfc(x);
    for (double x : new double[] {0.0, 1e-8, 0.999999, 1.0, 1.000001, 2.499999, 2.5, 2.500001}) {
      checkErfc(x);
      checkErfc(-x);
    }
  }

  private static void checkErfc(double x) {
    assertRelative(BigErf.erfc(x).doubleValue(), Gaussian.erfc(x), 1e-13, "erfc(" + x + ")");
  }

  @Test
  void erfIsAccurateIncludingTinyArguments() {
    for (double x = -5.0; x <= 5.0; x += 0.0987654) {
      assertRelative(BigErf.erf(x).doubleValue(), Gaussian.erf(x), 1e-14, "erf(" + x + ")");
    }
    for (double x : new double[] {1e-12, 3e-6, 0.001, -0.01}) {
      assertRelative(BigErf.erf(x).doubleValue(), Gaussian.erf(x), 1e-14, "erf(" + x + ")");
    }
    assertEquals(0.0, Gaussian.erf(0.0));
    assertTrue(Double.isNaN(Gaussian.erf(Double.NaN)));
  }

  @Test
  void normalCdfMatchesReferenceInBothTails() {
    for (double z = -12.0; z <= 12.0; z += 0.3217) {
      assertRelative(BigErf.normalCdf(z), Gaussian.cdf(z), 1e-12, "Phi(" + z + ")");
    }
    assertEquals(0.5, Gaussian.cdf(0.0), 1e-16);
  }
}
