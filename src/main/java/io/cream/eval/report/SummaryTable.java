package io.cream.eval.report;

import io.cream.eval.Numbers;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;

/** A table of numbers: one row per run, one column per x value (length, gold position), maybe a mean. */
final class SummaryTable {
  record Row(String label, SortedMap<Double, Double> values, Double mean) {}

  private final String caption;
  private final String corner;
  private final String columnUnit;
  private final int decimals;
  private final boolean meanColumn;
  private final List<Row> rows = new ArrayList<>();

  /**
   * @param corner the header of the label column
   * @param columnUnit appended to column headers ("" for none)
   * @param meanColumn whether a last column holds each row's mean
   */
  SummaryTable(String caption, String corner, String columnUnit, int decimals, boolean meanColumn) {
    this.caption = caption;
    this.corner = corner;
    this.columnUnit = columnUnit;
    this.decimals = decimals;
    this.meanColumn = meanColumn;
  }

  SummaryTable add(String label, SortedMap<Double, Double> values, Double mean) {
    rows.add(new Row(label, values, mean));
    return this;
  }

  void render(Html html) {
    TreeSet<Double> columns = new TreeSet<>();
    for (Row r : rows) columns.addAll(r.values().keySet());
    html.open("table", "");
    html.element("caption", "", caption);
    html.open("thead", "").open("tr", "");
    html.element("th", "", corner);
    for (double c : columns) html.element("th", "", Numbers.compact(c) + columnUnit);
    if (meanColumn) html.element("th", "", "mean");
    html.close("tr").close("thead").open("tbody", "");
    for (Row r : rows) {
      html.open("tr", "");
      html.element("th", Html.attr("scope", "row"), r.label());
      for (double c : columns) html.element("td", "", format(r.values().get(c)));
      if (meanColumn) html.element("td", Html.attr("class", "mean"), format(r.mean()));
      html.close("tr");
    }
    html.close("tbody").close("table");
  }

  private String format(Double v) {
    return v == null || v.isNaN() ? "–" : Numbers.fixed(v, decimals);
  }
}
