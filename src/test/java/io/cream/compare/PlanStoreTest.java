package io.cream.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which plans may reuse a folder's work: the same one, or one that only adds runs, evals or seeds. */
class PlanStoreTest {
  static final ComparePlan PLAN = SummaryTest.PLAN;

  static Optional<String> refusal(ComparePlan saved, ComparePlan now) {
    return PlanStore.refusal(PlanStore.canonical(saved), PlanStore.canonical(now));
  }

  static ComparePlan with(List<Long> seeds, List<RunSpec> runs, List<EvalSpec> evals) {
    return new ComparePlan(PLAN.base(), PLAN.data(), PLAN.window(), PLAN.factor(), seeds, PLAN.finetune(), runs, evals);
  }

  @Test
  void additionsAreAllowed() {
    assertEquals(Optional.empty(), refusal(PLAN, PLAN));
    List<RunSpec> more = new ArrayList<>(PLAN.runs());
    more.add(0, new RunSpec("yarn-no-ft", "none", "yarn", 8, 32, null));
    ComparePlan extended = with(List.of(0L, 1L, 2L, 3L), more, List.of(PLAN.evals().get(2), PLAN.evals().get(0),
        PLAN.evals().get(1), new EvalSpec("lines", PLAN.evals().get(0).options(), Integer.MAX_VALUE)));
    assertEquals(Optional.empty(), refusal(PLAN, extended), "runs, evals and seeds added, order changed");
  }

  @Test
  void changesAndRemovalsAreRefusedNamingTheFirstDifference() {
    assertEquals(Optional.of("seed 2 was removed"), refusal(PLAN, with(List.of(0L, 1L), PLAN.runs(), PLAN.evals())));
    RunSpec cream = PLAN.run("cream-linear");
    RunSpec longer = new RunSpec(cream.name(), cream.method(), cream.rope(), cream.factor(), cream.window(),
        new Finetune(20, 1, 1, 1e-3, 0, "linear", 0, 0.9, 0.999, 1e-8, 1, 3, "per-sample", 3000, "documents", false, 0, "float32"));
    assertEquals(Optional.of("run 'cream-linear' changed: finetune.steps was 10, now 20"),
        refusal(PLAN, with(PLAN.seeds(), List.of(PLAN.runs().get(0), longer), PLAN.evals())));
    EvalSpec passkey = PLAN.evals().getFirst();
    EvalSpec moreSamples = new EvalSpec("passkey", passkey.options().withSamples(9), Integer.MAX_VALUE);
    assertEquals(Optional.of("eval 'passkey' changed: samples was 5, now 9"),
        refusal(PLAN, with(PLAN.seeds(), PLAN.runs(), List.of(moreSamples, PLAN.evals().get(1), PLAN.evals().get(2)))));
    assertEquals(Optional.of("eval 'kv' was removed"),
        refusal(PLAN, with(PLAN.seeds(), PLAN.runs(), List.of(passkey, PLAN.evals().get(2)))));
    ComparePlan otherBase = new ComparePlan(Path.of("/models/other"), PLAN.data(), 32, 8, PLAN.seeds(), PLAN.finetune(),
        PLAN.runs(), PLAN.evals());
    assertEquals(Optional.of("base was \"/models/base\", now \"/models/other\""), refusal(PLAN, otherBase));
  }
}
