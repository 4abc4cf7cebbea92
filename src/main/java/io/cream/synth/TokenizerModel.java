package io.cream.synth;

import io.cream.eval.EvalModel;
import io.cream.io.TextTokenizer;

/**
 * An {@link EvalModel} that can only tokenize: what the evaluation tasks' prompt builders need to
 * fit a prompt to a token length, without loading any weights.
 */
final class TokenizerModel implements EvalModel {
  private final TextTokenizer tokenizer;

  TokenizerModel(TextTokenizer tokenizer) {
    this.tokenizer = tokenizer;
  }

  @Override
  public String name() {
    return "tokenizer";
  }

  @Override
  public int[] encode(String text) {
    return tokenizer.encode(text);
  }

  @Override
  public String decode(int[] ids) {
    return tokenizer.decode(ids);
  }

  @Override
  public int[] generateGreedy(int[] prompt, int maxNewTokens) {
    throw new UnsupportedOperationException("a tokenizer cannot generate");
  }

  @Override
  public double[] tokenLogProbs(int[] ids) {
    throw new UnsupportedOperationException("a tokenizer cannot score");
  }

  @Override
  public int contextLimit() {
    return Integer.MAX_VALUE;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
