package io.cream.eval;

/** A task that asks the model a question in a long prompt and scores its greedy reply. */
public sealed interface GenerativeTask extends EvalTask
    permits PasskeyTask, NeedleTask, KvRetrievalTask, LinesTask {

  /** The prompt of one sample of a cell; deterministic for (options.seed, cell, sample). */
  TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions options);

  /** Whether the reply answers the prompt. */
  Score score(String reply, TaskPrompt prompt);

  /** New tokens allowed when {@link EvalOptions#maxNewTokens()} is 0. */
  int defaultMaxNewTokens();
}
