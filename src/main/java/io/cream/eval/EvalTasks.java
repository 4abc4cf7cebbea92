package io.cream.eval;

import io.cream.util.UserError;
import java.util.List;

/** The tasks by name. */
public final class EvalTasks {
  public static final List<String> NAMES = List.of("passkey", "needle", "kv", "lines", "ppl");

  private EvalTasks() {}

  /** A fresh task (tasks cache per-run state such as length-search hints). */
  public static EvalTask create(String name) {
    return switch (name == null ? "" : name) {
      case "passkey" -> new PasskeyTask();
      case "needle" -> new NeedleTask();
      case "kv" -> new KvRetrievalTask();
      case "lines" -> new LinesTask();
      case "ppl" -> new PerplexityTask();
      default -> throw new UserError("unknown evaluation task '" + name + "'; choose one of " + String.join(", ", NAMES));
    };
  }
}
