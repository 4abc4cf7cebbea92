package io.cream.eval.chart;

import io.cream.eval.Numbers;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.LineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One line per series over shared x values (lengths or gold positions), evenly spaced as
 * categories so doubling lengths read well. A series missing an x leaves a gap.
 */
public final class SeriesChart {
  /** A named line: y by x. */
  public record Series(String name, SortedMap<Double, Double> points) {}

  private SeriesChart() {}

  /**
   * @param yRange {min, max} for a fixed value axis (accuracy 0..1), or null to fit the data
   * @param logY a logarithmic value axis (perplexity spanning orders of magnitude)
   */
  public static JFreeChart create(String title, String xLabel, String yLabel, List<Series> series, double[] yRange, boolean logY) {
    Headless.ensure();
    TreeSet<Double> xs = new TreeSet<>();
    for (Series s : series) xs.addAll(s.points().keySet());
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Series s : series) {
      for (double x : xs) data.addValue(s.points().get(x), s.name(), Numbers.compact(x));
    }
    ValueAxis yAxis;
    if (logY) {
      LogAxis log = new LogAxis(yLabel);
      log.setSmallestValue(1e-3);
      yAxis = log;
    } else {
      NumberAxis lin = new NumberAxis(yLabel);
      lin.setAutoRangeIncludesZero(yRange != null);
      yAxis = lin;
    }
    if (yRange != null) yAxis.setRange(yRange[0], yRange[1]);
    LineAndShapeRenderer renderer = new LineAndShapeRenderer(true, true);
    for (int i = 0; i < series.size(); i++) renderer.setSeriesStroke(i, new BasicStroke(2f));
    CategoryAxis xAxis = new CategoryAxis(xLabel);
    CategoryPlot plot = new CategoryPlot(data, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Lines over a numeric x axis (positions, where the spacing itself means something). */
  public static JFreeChart createNumeric(String title, String xLabel, String yLabel, List<Series> series, double[] yRange) {
    Headless.ensure();
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), true, false);
      s.points().forEach(xy::add);
      data.addSeries(xy);
    }
    NumberAxis xAxis = new NumberAxis(xLabel);
    xAxis.setAutoRangeIncludesZero(false);
    xAxis.setLowerMargin(0.04);
    xAxis.setUpperMargin(0.04);
    NumberAxis yAxis = new NumberAxis(yLabel);
    if (yRange != null) yAxis.setRange(yRange[0], yRange[1]);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < series.size(); i++) renderer.setSeriesStroke(i, new BasicStroke(2f));
    XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Whether values span enough (10×) that a log axis reads better. */
  public static boolean wantsLog(List<Series> series) {
    double min = Double.POSITIVE_INFINITY;
    double max = 0;
    for (Series s : series) {
      for (Double v : s.points().values()) {
        if (v == null || !(v > 0)) continue;
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    return max > 0 && max / min >= 10;
  }
}
