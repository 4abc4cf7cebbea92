package io.cream.eval;

/** A task that asks the model a question in a long prompt and scores its greedy reply. */
public sealed interface GenerativeTask extends EvalTask
    permits PasskeyTask, NeedleTask, KvRetrievalTask, LinesTask {

  /**
   * The prompt of one sample of a cell; deterministic for (options.seed, cell, sample). Its text is
   * the whole model input, chat template included, and its expected answer what a correct reply
   * holds — so prompt + " " + expected is a solved example (synthetic training documents are made
   * that way, with a model that only tokenizes).
   */
  TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions options);

  /** Whether the reply answers the prompt. */
  Score score(String reply, TaskPrompt prompt);

  /** New tokens allowed when {@link EvalOptions#maxNewTokens()} is 0. */
  int defaultMaxNewTokens();

  /** New tokens before EOS may end the reply, when {@link EvalOptions#minNewTokens()} is -1. */
  default int defaultMinNewTokens() {
    return 0;
  }
}
