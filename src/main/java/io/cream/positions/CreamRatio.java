package io.cream.positions;

/**
 * CREAM's expansion-ratio draw, as the reference code does it: a Gaussian CDF tabulated on a grid
 * of 1000 points over [2, 2f], inverted by piecewise-linear interpolation, then truncated.
 *
 * <p>μ = 1 + f; x_j = 2 + j·(2f − 2)/999; c_j = Φ((x_j − μ)/σ), not renormalised. For u ~ U[0,1):
 * v = 2 if u &lt; c_0, v = 2f if u ≥ c_999, otherwise the linear interpolation of u between the
 * bracketing (c_j, x_j), (c_{j+1}, x_{j+1}); r = ⌊v⌋ ∈ {2, …, 2f}.
 *
 * <p>Exact law of r. The map u ↦ v inverts the piecewise-linear function C(x) that joins the grid
 * points (c_j at x_j), so v &lt; k exactly when u &lt; C(k). Hence P(r ≤ k − 1) = C(k), and
 * P(r) = C(r + 1) − C(r) for 3 ≤ r ≤ 2f − 1, P(2) = C(3), P(2f) = 1 − c_999. C(k) is Φ at the
 * interpolated grid, not Φ((k − μ)/σ): the two differ by the chord error (~1e-6 for f = 8, σ = 3),
 * invisible at four decimals but the exact target for goodness-of-fit tests. The mass below c_0
 * and above c_999 piles onto r = 2 and r = 2f (a censored Gaussian).
 */
public final class CreamRatio {
  /** Grid size used by the reference code. */
  public static final int GRID_POINTS = 1000;

  private final int factor;
  private final double sigma;
  private final double[] x = new double[GRID_POINTS];
  private final double[] c = new double[GRID_POINTS];

  public CreamRatio(int factor, double sigma) {
    if (factor < 2) throw new IllegalArgumentException("factor must be >= 2, got " + factor);
    SamplerChecks.requireSigma(sigma);
    this.factor = factor;
    this.sigma = sigma;
    double mu = 1.0 + factor;
    double start = 2.0;
    double stop = 2.0 * factor;
    double step = (stop - start) / (GRID_POINTS - 1);
    for (int j = 0; j < GRID_POINTS; j++) {
      // Same construction as numpy.linspace: start + j·step, with the last point exactly stop.
      x[j] = j == GRID_POINTS - 1 ? stop : start + j * step;
      c[j] = Gaussian.cdf((x[j] - mu) / sigma);
    }
  }

  public int factor() {
    return factor;
  }

  public double sigma() {
    return sigma;
  }

  /** Smallest and largest r: 2 and 2f. */
  public int minR() {
    return 2;
  }

  public int maxR() {
    return 2 * factor;
  }

  /** Draws r from a uniform u ∈ [0, 1). */
  public int drawR(double u) {
    int r = (int) Math.floor(inverse(u));
    return Math.clamp(r, minR(), maxR());
  }

  /** v(u): the clamped piecewise-linear interpolation of u against (c → x). */
  double inverse(double u) {
    if (!(u >= c[0])) return x[0]; // also catches NaN
    int last = GRID_POINTS - 1;
    if (u >= c[last]) return x[last];
    // Largest j with c[j] <= u; then c[j] <= u < c[j+1].
    int lo = 0;
    int hi = last;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (c[mid] <= u) lo = mid;
      else hi = mid;
    }
    double slope = (x[lo + 1] - x[lo]) / (c[lo + 1] - c[lo]);
    return x[lo] + slope * (u - c[lo]);
  }

  /** C(t): the piecewise-linear interpolation of the grid CDF at t ∈ [2, 2f]. */
  double gridCdf(double t) {
    int last = GRID_POINTS - 1;
    if (t <= x[0]) return c[0];
    if (t >= x[last]) return c[last];
    int lo = 0;
    int hi = last;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (x[mid] <= t) lo = mid;
      else hi = mid;
    }
    return c[lo] + (c[lo + 1] - c[lo]) * (t - x[lo]) / (x[lo + 1] - x[lo]);
  }

  /** P(r) for r = 2 … 2f (index 0 is r = 2), exactly the law of {@link #drawR} for u ~ U[0,1). */
  public double[] analyticProbabilities() {
    int count = maxR() - minR() + 1;
    double[] p = new double[count];
    double below = 0.0; // P(r < k) = P(v < k) = C(k) for 3 ≤ k ≤ 2f; P(v < 2) = 0
    for (int k = minR() + 1; k <= maxR(); k++) {
      double atOrBelow = gridCdf(k);
      p[k - 1 - minR()] = atOrBelow - below;
      below = atOrBelow;
    }
    p[count - 1] = 1.0 - below;
    return p;
  }

  /** E[r] under {@link #analyticProbabilities()}. */
  public double expectedR() {
    double[] p = analyticProbabilities();
    double mean = 0;
    for (int i = 0; i < p.length; i++) mean += (minR() + i) * p[i];
    return mean;
  }
}
