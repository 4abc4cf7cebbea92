package io.cream.eval.chart;

import java.awt.Color;
import java.awt.Paint;
import java.io.Serializable;
import org.jfree.chart.renderer.PaintScale;

/** Accuracy 0..1 as red → yellow → green (the usual needle-in-a-haystack colours); NaN is grey. */
public final class AccuracyPaintScale implements PaintScale, Serializable {
  private static final Color LOW = new Color(0xD7, 0x30, 0x27);
  private static final Color MID = new Color(0xFE, 0xE0, 0x8B);
  private static final Color HIGH = new Color(0x1A, 0x98, 0x50);
  static final Color MISSING = new Color(0xBB, 0xBB, 0xBB);

  @Override
  public double getLowerBound() {
    return 0;
  }

  @Override
  public double getUpperBound() {
    return 1;
  }

  @Override
  public Paint getPaint(double value) {
    if (Double.isNaN(value)) return MISSING;
    double v = Math.clamp(value, 0.0, 1.0);
    return v < 0.5 ? blend(LOW, MID, v * 2) : blend(MID, HIGH, (v - 0.5) * 2);
  }

  private static Color blend(Color a, Color b, double t) {
    return new Color(
        (int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
        (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
        (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
  }
}
