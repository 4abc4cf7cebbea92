package io.cream.positions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The law of CREAM's expansion ratio r: the analytic table, its derivation, and sampled fits. */
class CreamRatioTest {
  /** docs/method.md §1 step 2, f = 8, σ = 3, r = 2 … 16 (four decimals). */
  private static final double[] PAPER_TABLE = {
    .0228, .0250, .0434, .0674, .0938, .1169, .1306, .1306, .1169, .0938, .0674, .0434, .0250, .0129, .0098
  };

  @Test
  void analyticLawMatchesTheTableToFourDecimals() {
    double[] p = new CreamRatio(8, 3.0).analyticProbabilities();
    assertEquals(PAPER_TABLE.length, p.length);
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      assertEquals(PAPER_TABLE[i], p[i], 0.5e-4 + 1e-12, "P(r = " + (i + 2) + ")");
      total += p[i];
    }
    assertEquals(1.0, total, 1e-15);
    assertEquals(8.51, new CreamRatio(8, 3.0).expectedR(), 0.005);
  }

  /**
   * The derivation: r < k exactly when u < C(k), C the piecewise-linear grid CDF. A stratified sweep
   * of u (M evenly spaced midpoints) measures each P(r) to within 1/M. With f = 512 and σ = 1 the
   * grid step (1.023) exceeds σ, so C is far from Φ and only the interpolated law can pass.
   */
  @ParameterizedTest
  @CsvSource({"8, 3.0", "512, 1.0", "2, 0.7", "5, 20.0"})
  void analyticLawIsExactlyTheLawOfTheInterpolatedInverse(int factor, double sigma) {
    CreamRatio ratio = new CreamRatio(factor, sigma);
    int m = 1_000_000;
    long[] counts = new long[2 * factor - 1];
    for (int i = 0; i < m; i++) counts[ratio.drawR((i + 0.5) / m) - 2]++;
    double[] p = ratio.analyticProbabilities();
    for (int i = 0; i < p.length; i++) {
      assertEquals(p[i], (double) counts[i] / m, 1.5 / m, "P(r = " + (i + 2) + ")");
    }
  }

  @Test
  void coarseGridLawDiffersFromPlainNormalDifferences() {
    // Guard for the test above: with f = 512, σ = 1 the Φ differences would give a different law.
    CreamRatio ratio = new CreamRatio(512, 1.0);
    double[] p = ratio.analyticProbabilities();
    double mu = 513;
    double maxGap = 0;
    for (int r = 3; r < 1024; r++) {
      double phiLaw = Gaussian.cdf(r + 1 - mu) - Gaussian.cdf(r - mu);
      maxGap = Math.max(maxGap, Math.abs(phiLaw - p[r - 2]));
    }
    assertTrue(maxGap > 0.01, "grid law should differ from Φ differences, max gap " + maxGap);
  }

  @Test
  void drawSwitchesExactlyAtTheGridCdfOfEachInteger() {
    CreamRatio ratio = new CreamRatio(8, 3.0);
    for (int k = 3; k <= 16; k++) {
      double boundary = ratio.gridCdf(k);
      assertEquals(k - 1, ratio.drawR(Math.nextDown(boundary) - 1e-15), "just below C(" + k + ")");
      assertEquals(k, ratio.drawR(boundary + 1e-15), "just above C(" + k + ")");
    }
    assertEquals(2, ratio.drawR(0.0));
    assertEquals(16, ratio.drawR(Math.nextDown(1.0)));
  }

  /**
   * ≥ 100,000 full CREAM samples per setting; r's counts against the analytic law, χ² test at
   * p = 0.001 with the critical value from the χ² quantile (df = number of r values − 1). The
   * branch split gets the same test with df = 1.
   */
  @ParameterizedTest
  @CsvSource({"8, 3.0, 11", "4, 1.5, 12", "16, 5.0, 13"})
  void sampledRatiosFitTheAnalyticLaw(int factor, double sigma, long seed) {
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, 256, factor, sigma);
    double[] p = new CreamRatio(factor, sigma).analyticProbabilities();
    int draws = 100_000;
    long[] counts = new long[p.length];
    long[] branches = new long[2];
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = 0; i < draws; i++) {
      PositionSample s = sampler.sample(rng);
      counts[s.ratioR() - 2]++;
      branches[s.branch()]++;
    }
    for (double pi : p) assertTrue(pi * draws >= 5, "expected counts must be >= 5 for χ²");
    double statistic = ChiSquare.statistic(counts, p, draws);
    double critical = ChiSquare.quantile(0.999, p.length - 1);
    assertTrue(statistic < critical, "χ² = " + statistic + " >= " + critical + " (df " + (p.length - 1) + ")");
    double branchStatistic = ChiSquare.statistic(branches, new double[] {0.5, 0.5}, draws);
    assertTrue(branchStatistic < ChiSquare.quantile(0.999, 1), "branch χ² = " + branchStatistic);
  }

  @Test
  void aWrongLawIsDetected() {
    // The same test must reject draws from σ = 3 when judged against σ = 3.5.
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, 256, 8, 3.0);
    double[] wrong = new CreamRatio(8, 3.5).analyticProbabilities();
    long[] counts = new long[wrong.length];
    SplittableRandom rng = new SplittableRandom(5);
    for (int i = 0; i < 100_000; i++) counts[sampler.sample(rng).ratioR() - 2]++;
    assertTrue(ChiSquare.statistic(counts, wrong, 100_000) > ChiSquare.quantile(0.999, wrong.length - 1));
  }
}
