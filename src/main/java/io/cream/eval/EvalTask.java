package io.cream.eval;

import java.util.List;

/**
 * A long-context evaluation: a grid of cells, each run on {@link EvalOptions#samples()} samples.
 * Generative tasks build a prompt and score a greedy reply; perplexity scores documents.
 */
public sealed interface EvalTask permits GenerativeTask, PerplexityTask {
  /** The task's name on the command line and in results.json. */
  String name();

  /** What a cell's length counts: "tokens", or "keys" for kv. */
  default String lengthUnit() {
    return "tokens";
  }

  PositionAxis positionAxis();

  /** The grid in the order it runs (empty lengths or depths mean the task's defaults). */
  List<Cell> cells(EvalOptions options);

  /** The options with this task's default grid filled in where lengths (or depths) are empty. */
  default EvalOptions withDefaults(EvalOptions options) {
    return Grid.withDefaults(options, Grid.LENGTHS, null);
  }
}
