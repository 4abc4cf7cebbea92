package io.cream.eval.chart;

/** Charts are drawn off-screen; this must be set before AWT starts. */
final class Headless {
  private Headless() {}

  static void ensure() {
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }
}
