package io.cream.model;

import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.Tensor;

/**
 * Runs one sequence through the model with a KV cache: {@link #append} feeds tokens (a prompt in
 * chunks, or one generated token at a time) and returns the logits of the rows asked for.
 * Position ids are 0, 1, 2, ... (the context-extension is in the RoPE scaling). Memory is the
 * cache (2 · layers · maxLen · kvDim floats) plus one chunk's activations.
 */
public final class InferenceSession implements AutoCloseable {
  private final LlamaModel model;
  private final LlamaConfig c;
  private final Backend b;
  private final int maxLen;
  private final int chunk;
  private final Tensor[] kCache, vCache;
  private int length;

  // One block's tensors for a chunk of up to `chunk` rows, reused by every block.
  private final LayerActivations scratch;

  /** A session feeding prompts in chunks of the backend's {@link Backend#promptChunk()} tokens. */
  public InferenceSession(LlamaModel model, int maxLen) {
    this(model, maxLen, model.backend().promptChunk());
  }

  public InferenceSession(LlamaModel model, int maxLen, int chunk) {
    this.model = model;
    this.c = model.config();
    this.b = model.backend();
    this.maxLen = maxLen;
    this.chunk = Math.max(1, Math.min(chunk, maxLen));
    c.requireFullAttention(maxLen);
    MemoryEstimate.session(c, maxLen, this.chunk).requireFits(b, "use shorter sequences or a device with more memory");
    int layers = c.numHiddenLayers();
    int kvDim = c.numKeyValueHeads() * c.headDim();
    kCache = new Tensor[layers];
    vCache = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      kCache[l] = b.zeros(maxLen, kvDim);
      vCache[l] = b.zeros(maxLen, kvDim);
    }
    scratch = LayerActivations.allocate(b, c, this.chunk, null);
  }

  /** Tokens in the cache so far. */
  public int length() {
    return length;
  }

  public int maxLength() {
    return maxLen;
  }

  /** Forgets the cached sequence (the cache memory is reused). */
  public void reset() {
    length = 0;
  }

  /** Which rows of an appended block want logits. */
  public enum Logits { NONE, LAST, ALL }

  /**
   * Feeds tokens after those already cached. Returns logits [rows × vocab] as a host array for the
   * rows asked for (LAST: the final token's row only; ALL: every appended token's row), or null.
   */
  public float[] append(int[] tokens, Logits which) {
    int vocab = c.vocabSize();
    float[] out = switch (which) {
      case NONE -> null;
      case LAST -> new float[vocab];
      case ALL -> new float[Math.multiplyExact(tokens.length, vocab)];
    };
    feed(tokens, which, (start, logits) -> {
      float[] host = b.download(logits);
      System.arraycopy(host, 0, out, which == Logits.ALL ? start * vocab : 0, host.length);
    });
    return out;
  }

  /**
   * Feeds tokens and returns log p(tokens[i+1] | everything before) for i = 0 .. n−2, plus, when
   * next ≥ 0, log p(next | all tokens) as the last entry. Logits never leave the backend and only
   * one chunk of them exists at a time, so long sequences score in bounded memory.
   */
  public double[] appendAndScore(int[] tokens, int next) {
    int n = tokens.length;
    double[] out = new double[next >= 0 ? n : n - 1];
    feed(tokens, Logits.ALL, (start, logits) -> {
      int rows = logits.rows();
      int[] targets = new int[rows];
      for (int i = 0; i < rows; i++) {
        int t = start + i + 1;
        targets[i] = t < n ? tokens[t] : next;
      }
      double[] lp = b.targetLogProbs(logits, targets);
      for (int i = 0; i < rows; i++) {
        if (start + i < out.length) out[start + i] = lp[i];
      }
    });
    return out;
  }

  /** Receives the logits of rows [start, start + logits.rows()) of an appended block. */
  private interface LogitsSink {
    void accept(int start, Tensor logits);
  }

  private void feed(int[] tokens, Logits which, LogitsSink sink) {
    if (length + tokens.length > maxLen) {
      throw new IllegalArgumentException("sequence of " + (length + tokens.length)
          + " tokens exceeds this session's cache of " + maxLen);
    }
    for (int start = 0; start < tokens.length; start += chunk) {
      int count = Math.min(chunk, tokens.length - start);
      int[] ids = java.util.Arrays.copyOfRange(tokens, start, start + count);
      boolean last = start + count == tokens.length;
      int logitRows = switch (which) {
        case ALL -> count;
        case LAST -> last ? 1 : 0;
        case NONE -> 0;
      };
      final int s0 = start + count - logitRows;
      forwardChunk(ids, logitRows, logits -> sink.accept(s0, logits));
    }
  }

  /** Runs ids.length rows through every block; hands the logits of the last logitRows rows on. */
  private void forwardChunk(int[] ids, int logitRows, java.util.function.Consumer<Tensor> onLogits) {
    int r = ids.length;
    int[] positions = new int[r];
    for (int i = 0; i < r; i++) positions[i] = length + i;
    Tensor[] cs = model.ropeTables(positions, length + r);
    LayerActivations a = scratch.rows(r);
    float eps = (float) c.rmsNormEps();
    LlamaWeights w = model.weights();
    AttentionShape shape = new AttentionShape(
        1, c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), r, length + r, maxLen);
    try {
      b.embedding(w.embed(), ids, a.x());
      for (int l = 0; l < c.numHiddenLayers(); l++) {
        int layer = l;
        LlamaBlock.KeyValues appendToCache = (k, v) -> {
          b.copyRows(k, 0, kCache[layer], length, r);
          b.copyRows(v, 0, vCache[layer], length, r);
          return new Tensor[] {kCache[layer], vCache[layer]};
        };
        // In place: the block's output replaces its input, which nothing reads afterwards.
        LlamaBlock.forward(b, c, w.layer(l), a, cs[0], cs[1], shape, appendToCache, a.x());
      }
      if (logitRows > 0) {
        int first = r - logitRows;
        Tensor xl = a.x().rows(first, logitRows), nl = a.n1().rows(first, logitRows);
        b.rmsNorm(xl, w.finalNorm(), eps, nl, a.rstd1().rows(first, logitRows));
        try (Tensor logits = b.zeros(logitRows, c.vocabSize())) {
          b.linear(nl, w.lmHead(), null, logits);
          onLogits.accept(logits);
        }
      }
      length += r;
    } finally {
      cs[0].close();
      cs[1].close();
    }
  }

  @Override
  public void close() {
    for (Tensor t : kCache) t.close();
    for (Tensor t : vCache) t.close();
    scratch.close();
  }
}
