package io.cream.eval;

/**
 * What the evaluation tasks need from a language model: its tokenizer, greedy generation and
 * per-token log-probabilities. The real engine is adapted to this elsewhere; tests use toy models.
 */
public interface EvalModel extends AutoCloseable {
  /** A short name for results and reports (e.g. the checkpoint folder's name). */
  String name();

  /** Token ids of the text, with BOS first if the tokenizer adds one. */
  int[] encode(String text);

  /** Text of the token ids (special tokens such as BOS/EOS left out). */
  String decode(int[] ids);

  /** Greedy continuation of the prompt: stops at EOS or after maxNewTokens; only the new tokens. */
  int[] generateGreedy(int[] prompt, int maxNewTokens);

  /**
   * Greedy continuation with EOS held off until minNewTokens tokens exist (Hugging Face's
   * min_new_tokens). A model that cannot hold off EOS supports only minNewTokens = 0.
   */
  default int[] generateGreedy(int[] prompt, int minNewTokens, int maxNewTokens) {
    if (minNewTokens > 0) {
      throw new UnsupportedOperationException(name() + " cannot hold off EOS (min new tokens " + minNewTokens + ")");
    }
    return generateGreedy(prompt, maxNewTokens);
  }

  /**
   * The tokens the text itself costs: encode(text) without the BOS that encode puts first (found
   * as what encode adds to the empty text), for placing things by token position.
   */
  default int[] encodeWithoutBos(String text) {
    int added = encode("").length;
    int[] ids = encode(text);
    return java.util.Arrays.copyOfRange(ids, Math.min(added, ids.length), ids.length);
  }

  /** log p(ids[i] | ids[&lt;i]) for i = 1 .. n-1, so the result has length n-1. */
  double[] tokenLogProbs(int[] ids);

  /** The longest sequence the model can run, or Integer.MAX_VALUE. */
  int contextLimit();

  /**
   * The window the model's RoPE is set up for (max_position_embeddings, or its rope_scaling's or
   * --rope's target), or 0 when unknown. Running past it is allowed: it is what extension measures.
   */
  default int window() {
    return 0;
  }

  /** Refuses, in one line, a sequence of this many tokens that cannot fit in memory (default: no check). */
  default void requireMemoryFor(int tokens) {}

  /** Frees the model's memory; no checked exceptions, so try-with-resources needs no catch. */
  @Override
  void close();
}
