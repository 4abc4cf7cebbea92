package io.cream.eval;

import io.cream.io.TextTokenizer;
import io.cream.model.Generator;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaModel;
import io.cream.model.MemoryEstimate;
import io.cream.model.Sampler;

/**
 * The real engine behind {@link EvalModel}: a loaded Llama model and its tokenizer, greedy
 * decoding with a KV cache, log-probabilities scored chunk by chunk. One cache is kept and reused
 * while it is large enough, so a grid of prompts does not reallocate it each time.
 */
public final class LlamaEvalModel implements EvalModel {
  private final String name;
  private final LlamaModel model;
  private final TextTokenizer tokenizer;
  private final int contextLimit;
  private final int window;
  private InferenceSession session;

  public LlamaEvalModel(String name, LlamaModel model, TextTokenizer tokenizer, int contextLimit) {
    this(name, model, tokenizer, contextLimit, 0);
  }

  /** As above, with the model's window ({@link EvalModel#window()}; 0 = unknown). */
  public LlamaEvalModel(String name, LlamaModel model, TextTokenizer tokenizer, int contextLimit, int window) {
    this.name = name;
    this.model = model;
    this.tokenizer = tokenizer;
    this.contextLimit = contextLimit;
    this.window = window;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int[] encode(String text) {
    return tokenizer.encode(text);
  }

  @Override
  public String decode(int[] ids) {
    return tokenizer.decode(ids, true);
  }

  @Override
  public int[] generateGreedy(int[] prompt, int maxNewTokens) {
    return generateGreedy(prompt, 0, maxNewTokens);
  }

  @Override
  public int[] generateGreedy(int[] prompt, int minNewTokens, int maxNewTokens) {
    InferenceSession s = session(prompt.length + maxNewTokens);
    return Generator.generate(s, prompt, minNewTokens, maxNewTokens, Sampler.greedy(), tokenizer.eosId(), null);
  }

  @Override
  public double[] tokenLogProbs(int[] ids) {
    return session(ids.length).appendAndScore(ids, -1);
  }

  @Override
  public int contextLimit() {
    return contextLimit;
  }

  @Override
  public int window() {
    return window;
  }

  @Override
  public void requireMemoryFor(int tokens) {
    MemoryEstimate.session(model.config(), tokens, model.backend().promptChunk())
        .requireFits(model.backend(), "use shorter --lengths (or --max-context) or a device with more memory");
  }

  /** An empty session with room for at least {@code length} tokens. */
  private InferenceSession session(int length) {
    if (session == null || session.maxLength() < length) {
      if (session != null) session.close();
      session = new InferenceSession(model, length);
    }
    session.reset();
    return session;
  }

  @Override
  public void close() {
    if (session != null) session.close();
    model.close();
    tokenizer.close();
  }
}
