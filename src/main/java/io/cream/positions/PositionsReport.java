package io.cream.positions;

import java.util.Locale;

/**
 * The text report of `cream positions --format table`: where positions land across the target
 * window (a histogram), and for CREAM the empirical law of r against the analytic one and the
 * branch split. Feed it samples with {@link #add}, then {@link #render}.
 */
public final class PositionsReport {
  private static final int MAX_BINS = 32;
  private static final int BAR_WIDTH = 50;
  private static final char[] EIGHTHS = {' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉', '█'};

  private final PositionMethod method;
  private final int window;
  private final int factor;
  private final int span;
  private final int bins;
  private final long[] binCounts;
  private final CreamRatio ratio; // null unless CREAM
  private final long[] ratioCounts;
  private final long[] branchCounts = new long[2];
  private long samples;
  private long positions;

  public PositionsReport(PositionMethod method, int window, int factor, double sigma) {
    this.method = method;
    this.window = window;
    this.factor = factor;
    this.span = SamplerChecks.targetSpan(method, window, factor);
    this.bins = Math.min(MAX_BINS, span);
    this.binCounts = new long[bins];
    this.ratio = method == PositionMethod.CREAM ? new CreamRatio(factor, sigma) : null;
    this.ratioCounts = ratio == null ? new long[0] : new long[ratio.maxR() - ratio.minR() + 1];
  }

  public void add(PositionSample s) {
    samples++;
    for (int p : s.positions()) binCounts[(int) ((long) p * bins / span)]++;
    positions += s.length();
    if (ratio != null) {
      ratioCounts[s.ratioR() - ratio.minR()]++;
      branchCounts[s.branch()]++;
    }
  }

  /**
   * Renders the report. details: one extra settings line for the header (seed, sigma, …), or null.
   * unicode: draw bars with block characters, else with '#'.
   */
  public String render(String details, boolean unicode) {
    StringBuilder out = new StringBuilder(4096);
    line(out, "positions: method %s, window N = %d, factor f = %d, target S = f·N = %d, samples %d",
        method.cliName(), window, factor, span, samples);
    if (details != null && !details.isBlank()) line(out, "  %s", details);
    out.append('\n');
    histogram(out, unicode);
    if (ratio != null && samples > 0) {
      out.append('\n');
      ratioTable(out);
      out.append('\n');
      branchSplit(out);
    }
    return out.toString();
  }

  private void histogram(StringBuilder out, boolean unicode) {
    line(out, "where positions land (%d bins over [0, %d); share of all %d ids):", bins, span, positions);
    long max = 1;
    for (long c : binCounts) max = Math.max(max, c);
    int digits = Integer.toString(span - 1).length();
    for (int b = 0; b < bins; b++) {
      long first = ceilDiv((long) b * span, bins);
      long last = ceilDiv((long) (b + 1) * span, bins) - 1;
      double share = positions == 0 ? 0 : 100.0 * binCounts[b] / positions;
      String bar = bar((double) binCounts[b] / max, unicode);
      line(out, "  %" + digits + "d – %" + digits + "d  %6.2f%%  %s", first, last, share, bar);
    }
  }

  private void ratioTable(StringBuilder out) {
    double[] analytic = ratio.analyticProbabilities();
    line(out, "expansion ratio r (α = r/2; μ = %d, σ = %s): empirical vs analytic P(r)",
        1 + factor, ratio.sigma());
    line(out, "  %4s %5s %8s %9s %9s", "r", "α", "count", "empirical", "analytic");
    double empiricalMean = 0;
    for (int i = 0; i < analytic.length; i++) {
      int r = ratio.minR() + i;
      double empirical = (double) ratioCounts[i] / samples;
      empiricalMean += r * empirical;
      line(out, "  %4d %5.1f %8d %9.4f %9.4f", r, r / 2.0, ratioCounts[i], empirical, analytic[i]);
    }
    line(out, "  E[r]: empirical %.3f, analytic %.3f", empiricalMean, ratio.expectedR());
  }

  private void branchSplit(StringBuilder out) {
    line(out, "branch split: relativity (b = 0, H = T = %d) %d (%.1f%%), continuity (b = 1, H = T = %d) %d (%.1f%%)",
        CreamPositions.headLength(window, factor, 0), branchCounts[0], 100.0 * branchCounts[0] / samples,
        CreamPositions.headLength(window, factor, 1), branchCounts[1], 100.0 * branchCounts[1] / samples);
  }

  private static String bar(double fraction, boolean unicode) {
    int eighths = (int) Math.round(fraction * BAR_WIDTH * 8);
    if (!unicode) return "#".repeat((eighths + 4) / 8);
    StringBuilder bar = new StringBuilder(BAR_WIDTH);
    bar.append(String.valueOf(EIGHTHS[8]).repeat(eighths / 8));
    if (eighths % 8 != 0) bar.append(EIGHTHS[eighths % 8]);
    return bar.toString();
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(Locale.ROOT, format, args)).append('\n');
  }
}
