package io.cream.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * summary.json and summary.md: the same tables, for programs and for people. Both are a pure
 * function of the plan and the results, so every process that writes them writes the same bytes.
 */
final class SummaryWriter {
  private SummaryWriter() {}

  /** The fine-tunes' final losses (from finetune.json; absent ones skipped), for the last table. */
  record FinetuneRow(String run, long seed, int steps, double finalLoss, double seconds, String device) {}

  static ObjectNode json(Summary s, List<FinetuneRow> finetunes, String inputsSha256) {
    ObjectNode root = Json.object();
    root.put("format", ComparePlan.FORMAT);
    root.put("inputs_sha256", inputsSha256);
    ArrayNode tables = root.putArray("tables");
    for (Summary.Table t : s.tables()) {
      ObjectNode tn = tables.addObject();
      tn.put("task", t.task());
      tn.put("metric", t.metric());
      if (t.keys() != null) tn.put("keys", t.keys());
      tn.put("title", t.title());
      ArrayNode cols = tn.putArray("columns");
      for (Summary.Column c : t.columns()) {
        ObjectNode cn = cols.addObject();
        cn.put("label", c.label());
        cn.put("axis", c.axis());
        if (c.value() != null) cn.put("value", c.value());
      }
      ArrayNode rows = tn.putArray("rows");
      for (Summary.Row r : t.rows()) {
        ObjectNode rn = rows.addObject();
        rn.put("run", r.run());
        rn.put("method", r.method());
        rn.put("rope", r.rope());
        rn.put("factor", r.factor());
        rn.put("window", r.window());
        r.seeds().forEach(rn.putArray("seeds")::add);
        ArrayNode values = rn.putArray("values");
        for (Summary.Stat st : r.values()) {
          ObjectNode v = values.addObject();
          v.put("mean", st.mean());
          v.put("min", st.min());
          v.put("max", st.max());
          ArrayNode per = v.putArray("per_seed");
          st.perSeed().forEach(per::add);
        }
      }
    }
    ArrayNode ft = root.putArray("finetunes");
    for (FinetuneRow f : finetunes) {
      ObjectNode n = ft.addObject();
      n.put("run", f.run());
      n.put("seed", f.seed());
      n.put("steps", f.steps());
      n.put("final_loss", f.finalLoss());
      n.put("seconds", f.seconds());
      n.put("device", f.device());
    }
    return root;
  }

  static FinetuneRow finetuneRow(JsonNode n) {
    return new FinetuneRow(n.path("run").asText(), n.path("seed").asLong(), n.path("steps").asInt(),
        n.path("final_loss").asDouble(Double.NaN), n.path("seconds_this_process").asDouble(Double.NaN),
        n.path("device").asText(""));
  }

  /** Markdown: one table per task and metric; "62.5 (50.0–75.0)" is the mean over seeds (min–max). */
  static String markdown(Summary s, List<FinetuneRow> finetunes, int seeds) {
    StringBuilder md = new StringBuilder();
    md.append("# cream compare: summary\n\n");
    md.append("Each value is the mean over the fine-tuning seeds (").append(seeds)
        .append(" per fine-tuned run) with the lowest and highest seed in brackets; runs without")
        .append(" fine-tuning have one value. Columns by length average over positions, columns by")
        .append(" position average over lengths (weighted by samples).\n");
    for (Summary.Table t : s.tables()) {
      md.append("\n## ").append(t.title()).append("\n\n");
      List<String> head = new ArrayList<>(List.of("run", "method", "rope", "f", "window"));
      t.columns().forEach(c -> head.add(c.label()));
      row(md, head);
      List<String> rule = new ArrayList<>(List.of("---", "---", "---", "---:", "---:"));
      t.columns().forEach(c -> rule.add("---:"));
      row(md, rule);
      int decimals = t.metric().equals("perplexity") ? 2 : 1;
      double scale = t.metric().equals("perplexity") ? 1 : 100;
      for (Summary.Row r : t.rows()) {
        List<String> cells = new ArrayList<>(List.of(r.run(), r.method(), r.rope(), Integer.toString(r.factor()),
            Integer.toString(r.window())));
        for (Summary.Stat st : r.values()) cells.add(format(st, scale, decimals));
        row(md, cells);
      }
    }
    if (!finetunes.isEmpty()) {
      md.append("\n## fine-tunes\n\n");
      row(md, List.of("run", "seed", "steps", "final loss", "time (last process)", "device"));
      row(md, List.of("---", "---:", "---:", "---:", "---:", "---"));
      for (FinetuneRow f : finetunes) {
        row(md, List.of(f.run(), Long.toString(f.seed()), Integer.toString(f.steps()),
            fixed(f.finalLoss(), 4), io.cream.eval.Numbers.duration(f.seconds()), f.device()));
      }
    }
    return md.toString();
  }

  static String format(Summary.Stat st, double scale, int decimals) {
    if (st.mean() == null) return "–";
    String mean = fixed(st.mean() * scale, decimals);
    long present = st.perSeed().stream().filter(v -> v != null).count();
    if (present < 2) return mean;
    return mean + " (" + fixed(st.min() * scale, decimals) + "–" + fixed(st.max() * scale, decimals) + ")";
  }

  private static String fixed(double v, int decimals) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static void row(StringBuilder md, List<String> cells) {
    md.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }
}
