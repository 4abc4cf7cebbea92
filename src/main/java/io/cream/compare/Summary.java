package io.cream.compare;

import io.cream.eval.CellSummary;
import io.cream.eval.EvalResults;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The comparison's numbers: one table per task and metric (kv: one per number of keys, by gold
 * position, like the paper's), a row per run, a column per length and per position (each the
 * sample-weighted mean over the other axis) and an overall mean; each value the mean over the
 * run's seeds, with the lowest and highest seed beside it.
 */
public record Summary(List<Table> tables) {
  /**
   * @param axis "length", "position" or "mean"
   * @param value the length or position, or null for the mean
   */
  public record Column(String label, String axis, Double value) {}

  /** One run's value in one column: the mean over seeds, the spread, and each seed's value. */
  public record Stat(Double mean, Double min, Double max, List<Double> perSeed) {
    static Stat of(List<Double> perSeed) {
      List<Double> v = perSeed.stream().filter(Objects::nonNull).toList();
      if (v.isEmpty()) return new Stat(null, null, null, perSeed);
      double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
      for (double x : v) {
        sum += x;
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      return new Stat(sum / v.size(), min, max, perSeed);
    }
  }

  /** @param seeds the seeds averaged (empty for a run that does not fine-tune) */
  public record Row(String run, String method, String rope, int factor, int window, List<Long> seeds, List<Stat> values) {}

  /**
   * @param metric "accuracy", "rougeL" and "partial" (needle: ROUGE-L F1, share of the key words;
   *     passkey: share of the key's leading digits) or "perplexity"
   * @param keys kv: the number of keys of this table; null otherwise
   */
  public record Table(String task, String metric, Integer keys, String title, List<Column> columns, List<Row> rows) {}

  /** Where a model's results are: the evaluation of one run (seed null for runs that do not fine-tune). */
  public interface Source {
    EvalResults results(RunSpec run, Long seed, EvalSpec eval);
  }

  /** The tables for a plan whose evaluations are all done. */
  public static Summary of(ComparePlan plan, Source source) {
    List<Table> tables = new ArrayList<>();
    for (EvalSpec eval : plan.evals()) {
      // Every model's results of this task, per run, in seed order.
      Map<RunSpec, List<EvalResults>> byRun = new LinkedHashMap<>();
      for (RunSpec run : plan.runs()) {
        List<EvalResults> rs = new ArrayList<>();
        if (run.finetunes()) for (long seed : plan.seeds()) rs.add(source.results(run, seed, eval));
        else rs.add(source.results(run, null, eval));
        byRun.put(run, rs);
      }
      for (String metric : metrics(eval.task())) {
        if (eval.task().equals("kv")) {
          TreeSet<Integer> keys = new TreeSet<>();
          byRun.values().forEach(rs -> rs.forEach(r -> r.cells().forEach(c -> keys.add(c.length()))));
          for (int k : keys) addIfMeasured(tables, table(plan, eval, metric, k, byRun));
        } else {
          addIfMeasured(tables, table(plan, eval, metric, null, byRun));
        }
      }
    }
    return new Summary(tables);
  }

  /** A table is left out when no cell has its metric (results written before cream measured it). */
  private static void addIfMeasured(List<Table> tables, Table t) {
    if (t.rows().stream().flatMap(r -> r.values().stream()).anyMatch(s -> s.mean() != null)) tables.add(t);
  }

  static List<String> metrics(String task) {
    return switch (task) {
      case "ppl" -> List.of("perplexity");
      case "needle" -> List.of("rougeL", "accuracy", "partial");
      case "passkey" -> List.of("accuracy", "partial");
      default -> List.of("accuracy");
    };
  }

  private static Table table(ComparePlan plan, EvalSpec eval, String metric, Integer keys, Map<RunSpec, List<EvalResults>> byRun) {
    String task = eval.task();
    Predicate<CellSummary> inTable = c -> keys == null || c.length() == keys;
    TreeSet<Integer> lengths = new TreeSet<>();
    TreeSet<Double> positions = new TreeSet<>();
    String positionAxis = "none";
    for (List<EvalResults> rs : byRun.values()) {
      for (EvalResults r : rs) {
        positionAxis = r.positionAxis();
        for (CellSummary c : r.cells()) {
          if (!inTable.test(c)) continue;
          lengths.add(c.length());
          if (c.position() != null) positions.add(c.position());
        }
      }
    }
    List<Column> columns = new ArrayList<>();
    List<Predicate<CellSummary>> selects = new ArrayList<>();
    if (keys == null) {
      for (int l : lengths) {
        columns.add(new Column(Integer.toString(l), "length", (double) l));
        selects.add(c -> c.length() == l);
      }
    }
    if (keys != null || positions.size() > 1) {
      for (double p : positions) {
        String label = positionAxis.equals("depth_percent") ? "depth " + compact(p) + "%" : "gold " + compact(p);
        columns.add(new Column(label, "position", p));
        selects.add(c -> c.position() != null && c.position() == p);
      }
    }
    if (!metric.equals("perplexity") && columns.size() > 1) {
      columns.add(new Column("mean", "mean", null));
      selects.add(c -> true);
    }
    Function<CellSummary, Double> value = switch (metric) {
      case "perplexity" -> CellSummary::perplexity;
      case "partial" -> CellSummary::partial;
      case "rougeL" -> CellSummary::rougeL;
      default -> CellSummary::accuracy;
    };
    List<Row> rows = new ArrayList<>();
    for (var e : byRun.entrySet()) {
      RunSpec run = e.getKey();
      List<Stat> stats = new ArrayList<>();
      for (Predicate<CellSummary> select : selects) {
        List<Double> perSeed = new ArrayList<>();
        for (EvalResults r : e.getValue()) perSeed.add(weightedMean(r.cells(), inTable.and(select), value));
        stats.add(Stat.of(perSeed));
      }
      rows.add(new Row(run.name(), run.method(), run.rope(), run.factor(), run.window(), plan.seedsOf(run), stats));
    }
    return new Table(task, metric, keys, title(task, metric, keys, positionAxis), columns, rows);
  }

  /** Mean of the metric over the selected cells, each weighted by its samples; null if none has it. */
  static Double weightedMean(List<CellSummary> cells, Predicate<CellSummary> select, Function<CellSummary, Double> value) {
    double sum = 0;
    long n = 0;
    for (CellSummary c : cells) {
      Double v = value.apply(c);
      if (!select.test(c) || v == null || v.isNaN() || c.n() == 0) continue;
      sum += v * c.n();
      n += c.n();
    }
    return n == 0 ? null : sum / n;
  }

  private static String title(String task, String metric, Integer keys, String positionAxis) {
    String what = switch (metric) {
      case "perplexity" -> "perplexity by length (lower is better)";
      case "partial" -> task.equals("passkey")
          ? "the key's digits the reply's number begins with (%; 100: found, whether or not the number ends there)"
          : "partial credit (share of the needle's key words in the reply, %)";
      case "rougeL" -> "ROUGE-L F1 of the reply's first line against the needle (%)";
      default -> "accuracy (%)";
    };
    if (keys != null) return task + ", " + keys + " keys: " + what + " by gold position";
    if (metric.equals("perplexity")) return task + ": " + what;
    String by = positionAxis.equals("depth_percent") ? " by length (tokens) and by depth" : " by length";
    return task + ": " + what + by;
  }

  static String compact(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }
}
