package io.cream.compare;

import java.util.ArrayList;
import java.util.List;

/**
 * One piece of work of a comparison, claimed by one process at a time: the fine-tune of a run for
 * one seed, or one evaluation of one model. An evaluation of a fine-tuned model depends on its
 * fine-tune.
 *
 * @param seed the fine-tuning seed; null for a run that does not fine-tune
 * @param eval the evaluation; null for a fine-tune
 */
public record Unit(RunSpec run, Long seed, EvalSpec eval) {
  public boolean isFinetune() {
    return eval == null;
  }

  /** The fine-tune this evaluation needs first, or null. */
  public Unit dependency() {
    return isFinetune() || !run.finetunes() ? null : new Unit(run, seed, null);
  }

  /** The model: "cream-linear/seed-0", or the run's name for a run that does not fine-tune. */
  public String model() {
    return seed == null ? run.name() : run.name() + "/seed-" + seed;
  }

  /** For progress lines: "fine-tune cream-linear/seed-0", "eval passkey cream-linear/seed-0". */
  public String describe() {
    return isFinetune() ? "fine-tune " + model() : "eval " + eval.task() + " " + model();
  }

  /** A file-name-safe id, unique in the plan (run names are restricted to such characters). */
  public String id() {
    return (isFinetune() ? "finetune" : "eval-" + eval.task()) + "--" + model().replace('/', '-');
  }

  /**
   * Every unit of a plan in the order a process takes them: the runs without fine-tuning, then seed
   * by seed every run that fine-tunes, a fine-tune followed by its evaluations (so a lone process
   * finishes models one after the other, several processes spread over fine-tunes while
   * evaluations wait for them, and a comparison cut short has every method at its first seeds).
   */
  public static List<Unit> of(ComparePlan plan) {
    List<Unit> units = new ArrayList<>();
    for (RunSpec run : plan.runs()) {
      if (!run.finetunes()) for (EvalSpec e : plan.evals()) units.add(new Unit(run, null, e));
    }
    for (long seed : plan.seeds()) {
      for (RunSpec run : plan.runs()) {
        if (!run.finetunes()) continue;
        units.add(new Unit(run, seed, null));
        for (EvalSpec e : plan.evals()) units.add(new Unit(run, seed, e));
      }
    }
    return units;
  }
}
