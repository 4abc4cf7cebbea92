package io.cream.compare;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.nio.file.Path;
import java.util.List;

/**
 * A comparison plan (PLAN.json, documented in docs/compare.md) with every default filled in and
 * every path absolute: one base model, fine-tuned by each run for each seed, every model evaluated
 * by every evaluation.
 *
 * @param base the base model's Hugging Face checkpoint folder
 * @param data the fine-tuning data (as `cream train --data`); null when no run fine-tunes
 * @param window the pre-trained window N, the runs' default fine-tuning window
 * @param factor the runs' default factor f
 * @param seeds the fine-tuning seeds; every fine-tuning run is trained once per seed
 * @param finetune the shared fine-tuning settings (runs may override each field)
 * @param runs the rows of the comparison, in table order
 * @param evals the evaluations, each run on every model
 */
public record ComparePlan(Path base, Path data, int window, int factor, List<Long> seeds, Finetune finetune,
    List<RunSpec> runs, List<EvalSpec> evals) {

  /** Bumped when the meaning of a plan field changes, so old output folders are not reused. */
  public static final int FORMAT = 1;

  public ComparePlan {
    seeds = List.copyOf(seeds);
    runs = List.copyOf(runs);
    evals = List.copyOf(evals);
  }

  /** Reads and checks a plan; every mistake is reported at once ({@link PlanException}). */
  public static ComparePlan read(Path file) {
    return PlanParser.parse(file);
  }

  /** The seeds a run is trained with: the plan's, or none at all for a run that does not fine-tune. */
  public List<Long> seedsOf(RunSpec run) {
    return run.finetunes() ? seeds : List.of();
  }

  public RunSpec run(String name) {
    return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  /** The plan as saved in the output folder and compared on every start: resolved, canonical. */
  public ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("format", FORMAT);
    n.put("base", base.toString());
    n.put("data", data == null ? null : data.toString());
    n.put("window", window);
    n.put("factor", factor);
    ArrayNode s = n.putArray("seeds");
    seeds.forEach(s::add);
    n.set("finetune", finetune.toJson());
    ArrayNode r = n.putArray("runs");
    runs.forEach(run -> r.add(run.toJson()));
    ArrayNode e = n.putArray("evals");
    evals.forEach(ev -> e.add(ev.toJson()));
    return n;
  }
}
