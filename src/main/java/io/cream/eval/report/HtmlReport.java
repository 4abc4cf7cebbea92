package io.cream.eval.report;

import io.cream.eval.CellSummary;
import io.cream.eval.EvalResults;
import io.cream.eval.EvalTasks;
import io.cream.eval.Numbers;
import io.cream.eval.chart.ResultCharts;
import io.cream.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;

/**
 * One self-contained HTML page comparing evaluation runs: for each task, the charts (PNG embedded
 * as data URIs) and tables of the numbers. Passkey and needle get a heatmap per run; kv, lines and
 * ppl get one chart with a line per run.
 */
public final class HtmlReport {
  private static final Map<String, String> TITLES = Map.of(
      "passkey", "Passkey retrieval",
      "needle", "Needle in a haystack",
      "kv", "Key-value retrieval (lost in the middle)",
      "lines", "LongChat-Lines",
      "ppl", "Perplexity");

  private HtmlReport() {}

  /** Reads the results under the inputs and writes the report; returns the runs it shows. */
  public static List<LabeledRun> write(List<Path> inputs, Path out, String title) throws IOException {
    List<Path> files = ResultsFinder.find(inputs);
    List<EvalResults> results = files.stream().map(EvalResults::read).toList();
    List<LabeledRun> runs = LabeledRun.label(files, results);
    AtomicFiles.writeString(out, render(runs, title));
    return runs;
  }

  /** The page for already-read runs. */
  public static String render(List<LabeledRun> runs, String title) throws IOException {
    Html html = new Html();
    html.raw("<!DOCTYPE html>\n").open("html", Html.attr("lang", "en")).open("head", "");
    html.raw("<meta charset=\"utf-8\"/>\n");
    html.element("title", "", title);
    html.element("style", "", STYLE);
    html.close("head").open("body", "");
    html.element("h1", "", title);
    html.element("p", Html.attr("class", "meta"), "Written " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + " from "
        + runs.size() + " result file" + (runs.size() == 1 ? "" : "s") + ".");
    runTable(html, runs);
    for (String task : EvalTasks.NAMES) {
      List<LabeledRun> ofTask = runs.stream().filter(r -> r.results().task().equals(task)).toList();
      if (!ofTask.isEmpty()) section(html, task, ofTask);
    }
    html.close("body").close("html");
    return html.toString();
  }

  private static void runTable(Html html, List<LabeledRun> runs) {
    html.element("h2", "", "Runs");
    html.open("table", "").open("thead", "").open("tr", "");
    for (String h : List.of("label", "task", "model", "rope override", "seed", "samples", "date", "time", "status", "file")) {
      html.element("th", "", h);
    }
    html.close("tr").close("thead").open("tbody", "");
    for (LabeledRun run : runs) {
      EvalResults r = run.results();
      html.open("tr", "");
      html.element("th", Html.attr("scope", "row"), run.label());
      html.element("td", "", r.task());
      html.element("td", "", r.model());
      html.element("td", "", r.ropeOverride() == null ? "–" : r.ropeOverride());
      html.element("td", "", Long.toString(r.seed()));
      html.element("td", "", r.options() == null ? "–" : Integer.toString(r.options().samples()));
      html.element("td", "", r.date() == null ? "–" : r.date());
      html.element("td", "", r.timings() == null ? "–" : Numbers.duration(r.timings().totalSeconds()));
      html.element("td", "", r.complete() ? "complete" : "unfinished");
      html.element("td", Html.attr("class", "path"), run.file().toString());
      html.close("tr");
    }
    html.close("tbody").close("table");
  }

  private static void section(Html html, String task, List<LabeledRun> runs) throws IOException {
    html.open("section", Html.attr("id", task));
    html.element("h2", "", TITLES.get(task));
    html.open("div", Html.attr("class", "charts"));
    if (task.equals("passkey") || task.equals("needle")) {
      for (LabeledRun run : runs) figure(html, ResultCharts.heatmap(run.results(), run.label()), task + " heatmap: " + run.label());
    } else {
      figure(html, ResultCharts.compare(task, runs.stream().map(LabeledRun::asChartRun).toList()), task + " chart");
    }
    html.close("div");
    switch (task) {
      case "kv" -> kvTable(html, runs);
      case "ppl" -> {
        SummaryTable t = new SummaryTable("Perplexity by length (tokens); lower is better", "run", "", 3, false);
        for (LabeledRun run : runs) t.add(run.label(), ResultCharts.byLength(run.results(), HtmlReport::perplexity), null);
        t.render(html);
      }
      default -> {
        String depths = runs.getFirst().results().positionAxis().equals("depth_percent") ? ", mean over depths" : "";
        if (task.equals("needle")) {
          table(html, runs, "ROUGE-L F1 of the reply's first line against the needle, by length (tokens)" + depths, CellSummary::rougeL);
          table(html, runs, "Contains the key phrase (fraction of replies) by length" + depths, CellSummary::accuracy);
          table(html, runs, "Partial credit (fraction of the key words in the reply) by length" + depths, CellSummary::partial);
        } else {
          table(html, runs, "Accuracy by length (tokens)" + depths, CellSummary::accuracy);
          if (task.equals("passkey")) {
            table(html, runs, "Share of the key's digits that the reply's number begins with (1: the key found,"
                + " whether or not the number ends there), by length" + depths, CellSummary::partial);
          }
        }
      }
    }
    html.close("section");
  }

  /** One table per number of keys: a row per run, a column per gold position. */
  private static void kvTable(Html html, List<LabeledRun> runs) {
    Map<Integer, SummaryTable> tables = new TreeMap<>();
    for (LabeledRun run : runs) {
      Map<Integer, List<CellSummary>> byKeys = new TreeMap<>();
      for (CellSummary c : run.results().cells()) byKeys.computeIfAbsent(c.length(), k -> new ArrayList<>()).add(c);
      for (var e : byKeys.entrySet()) {
        SortedMap<Double, Double> values = new TreeMap<>();
        for (CellSummary c : e.getValue()) if (c.accuracy() != null) values.put(c.position(), c.accuracy());
        tables.computeIfAbsent(e.getKey(), k -> new SummaryTable(
                "Accuracy by gold position (index of the asked pair), " + k + " keys", "run", "", 2, true))
            .add(run.label(), values, weightedMean(e.getValue(), CellSummary::accuracy));
      }
    }
    tables.values().forEach(t -> t.render(html));
  }

  /** One row per run of a cell value by length, with its overall mean. */
  private static void table(Html html, List<LabeledRun> runs, String caption, Function<CellSummary, Double> value) {
    SummaryTable t = new SummaryTable(caption, "run", "", 2, true);
    for (LabeledRun run : runs) {
      t.add(run.label(), ResultCharts.byLength(run.results(), c -> value.apply(c) == null ? Double.NaN : value.apply(c)),
          weightedMean(run.results().cells(), value));
    }
    t.render(html);
  }

  /** Mean over all samples of the cells (cells weighted by their sample counts). */
  private static Double weightedMean(List<CellSummary> cells, Function<CellSummary, Double> value) {
    double sum = 0;
    long n = 0;
    for (CellSummary c : cells) {
      Double v = value.apply(c);
      if (v == null || c.n() == 0) continue;
      sum += v * c.n();
      n += c.n();
    }
    return n == 0 ? null : sum / n;
  }

  private static double perplexity(CellSummary c) {
    return c.perplexity() == null ? Double.NaN : c.perplexity();
  }

  private static void figure(Html html, JFreeChart chart, String alt) throws IOException {
    String data = Base64.getEncoder().encodeToString(ResultCharts.png(chart));
    html.open("figure", "");
    html.raw("<img " + Html.attr("src", "data:image/png;base64," + data) + " " + Html.attr("alt", alt) + " "
        + Html.attr("width", Integer.toString(ResultCharts.WIDTH)) + "/>\n");
    html.close("figure");
  }

  private static final String STYLE = """
      body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
      h1 { margin-bottom: 0.2em; }
      .meta { color: #666; }
      section { margin-top: 2.5em; }
      .charts { display: flex; flex-wrap: wrap; gap: 1em; }
      figure { margin: 0; }
      img { max-width: 100%; height: auto; border: 1px solid #ddd; }
      table { border-collapse: collapse; margin: 1em 0; }
      caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
      th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
      th[scope=row], thead th:first-child { text-align: left; }
      td.mean { font-weight: bold; }
      td.path { font-family: monospace; font-size: 0.85em; text-align: left; }
      """;
}
