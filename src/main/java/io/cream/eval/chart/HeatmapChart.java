package io.cream.eval.chart;

import io.cream.eval.Numbers;
import java.awt.Color;
import java.awt.Font;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * A 0..1 score (accuracy, ROUGE-L) over a length × depth grid: one coloured block per cell with its
 * value written in it, and a colour legend. Depth 0 is at the top, as in the usual
 * needle-in-a-haystack plots.
 */
public final class HeatmapChart {
  private HeatmapChart() {}

  /**
   * @param accuracy accuracy[x][y] in 0..1, NaN where a cell is missing
   * @param scoreLabel what the values are, for the legend ("accuracy", "ROUGE-L F1")
   */
  public static JFreeChart create(String title, String xLabel, List<String> xTicks, String yLabel, List<String> yTicks,
      double[][] accuracy, String scoreLabel) {
    Headless.ensure();
    int nx = xTicks.size();
    int ny = yTicks.size();
    double[] xs = new double[nx * ny];
    double[] ys = new double[nx * ny];
    double[] zs = new double[nx * ny];
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        xs[i * ny + j] = i;
        ys[i * ny + j] = j;
        zs[i * ny + j] = accuracy[i][j];
      }
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries(scoreLabel, new double[][] {xs, ys, zs});

    AccuracyPaintScale scale = new AccuracyPaintScale();
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(scale);
    renderer.setBlockWidth(1);
    renderer.setBlockHeight(1);

    SymbolAxis xAxis = new SymbolAxis(xLabel, xTicks.toArray(String[]::new));
    xAxis.setGridBandsVisible(false);
    xAxis.setRange(-0.5, nx - 0.5);
    SymbolAxis yAxis = new SymbolAxis(yLabel, yTicks.toArray(String[]::new));
    yAxis.setGridBandsVisible(false);
    yAxis.setRange(-0.5, ny - 0.5);
    yAxis.setInverted(true);

    XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    Font cellFont = new Font(Font.SANS_SERIF, Font.BOLD, nx * ny > 150 ? 9 : 12);
    for (int i = 0; i < nx; i++) {
      for (int j = 0; j < ny; j++) {
        String label = Double.isNaN(accuracy[i][j]) ? "–" : Numbers.fixed(accuracy[i][j], 2);
        XYTextAnnotation a = new XYTextAnnotation(label, i, j);
        a.setFont(cellFont);
        a.setPaint(Color.BLACK);
        plot.addAnnotation(a);
      }
    }

    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    chart.setBackgroundPaint(Color.WHITE);
    NumberAxis legendAxis = new NumberAxis(scoreLabel);
    legendAxis.setRange(0, 1);
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setStripWidth(14);
    legend.setMargin(4, 8, 4, 4);
    legend.setSubdivisionCount(100);
    chart.addSubtitle(legend);
    return chart;
  }

  /** Axis tick labels for numbers (12.5 → "12.5", 50 → "50"). */
  public static List<String> ticks(List<Double> values) {
    return values.stream().map(Numbers::compact).toList();
  }
}
