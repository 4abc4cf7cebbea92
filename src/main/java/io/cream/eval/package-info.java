/**
 * Long-context evaluations: passkey retrieval, needle in a haystack, lost-in-the-middle key-value
 * retrieval, LongChat-Lines and perplexity. Tasks build prompts against the small {@link
 * io.cream.eval.EvalModel} interface; {@link io.cream.eval.EvalRunner} runs a task's grid and
 * writes results.json and a chart (schema in docs/eval-results.md, formats in docs/eval-tasks.md).
 */
package io.cream.eval;
