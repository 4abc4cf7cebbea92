/** Headless JFreeChart charts of evaluation results: accuracy heatmaps and lines per run. */
package io.cream.eval.chart;
