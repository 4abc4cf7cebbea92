package io.cream.positions;

/**
 * The chi-square distribution for goodness-of-fit tests: its CDF through the regularized lower
 * incomplete gamma function P(k/2, x/2), and its quantile by bisection on that CDF. ln Γ is exact
 * for the half-integers it needs: Γ(m) = (m−1)!, Γ(m + ½) = √π·Π_{i<m}(i + ½).
 */
final class ChiSquare {
  private ChiSquare() {}

  /** P(X ≤ x) for X ~ χ²(df). */
  static double cdf(double x, int df) {
    if (x <= 0) return 0;
    return regularizedLowerGamma(df / 2.0, x / 2.0);
  }

  /** The x with cdf(x, df) = p, to ~1e-12 relative. */
  static double quantile(double p, int df) {
    double hi = Math.max(1.0, df);
    while (cdf(hi, df) < p) hi *= 2;
    double lo = 0;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
      double mid = 0.5 * (lo + hi);
      if (cdf(mid, df) < p) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  }

  /** Σ (observed − expected)² / expected. */
  static double statistic(long[] observed, double[] probabilities, long total) {
    double sum = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = probabilities[i] * total;
      double d = observed[i] - expected;
      sum += d * d / expected;
    }
    return sum;
  }

  /** P(a, x) = γ(a, x)/Γ(a): power series below x = a + 1, continued fraction for Q = 1 − P above. */
  static double regularizedLowerGamma(double a, double x) {
    double logPrefactor = -x + a * Math.log(x) - logGammaHalfInteger(a);
    if (x < a + 1) {
      double term = 1.0 / a;
      double sum = term;
      for (int n = 1; n < 10_000; n++) {
        term *= x / (a + n);
        sum += term;
        if (term < 1e-17 * sum) break;
      }
      return sum * Math.exp(logPrefactor);
    }
    // Q(a, x) = e^{-x} x^a / Γ(a) · 1/(x+1−a − 1·(1−a)/(x+3−a − 2·(2−a)/(x+5−a − …))), Lentz.
    double tiny = 1e-300;
    double b = x + 1 - a;
    double c = 1 / tiny;
    double d = 1 / b;
    double h = d;
    for (int i = 1; i < 10_000; i++) {
      double an = -i * (i - a);
      b += 2;
      d = an * d + b;
      if (Math.abs(d) < tiny) d = tiny;
      c = b + an / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      double delta = d * c;
      h *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    return 1 - Math.exp(logPrefactor) * h;
  }

  static double logGammaHalfInteger(double a) {
    double twice = 2 * a;
    if (twice != Math.rint(twice) || a <= 0) throw new IllegalArgumentException("not a half-integer: " + a);
    double sum = 0;
    if (a == Math.rint(a)) {
      for (int i = 2; i < a; i++) sum += Math.log(i);
      return sum;
    }
    sum = 0.5 * Math.log(Math.PI);
    for (double v = 0.5; v < a - 0.25; v += 1) sum += Math.log(v);
    return sum;
  }
}
