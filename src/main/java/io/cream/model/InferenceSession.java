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

  // Scratch for one chunk of up to `chunk` rows.
  private final Tensor x, n, q, k, v, att, lse, tmp, gate, up, act, rstd;

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
    int qDim = c.numAttentionHeads() * c.headDim();
    kCache = new Tensor[layers];
    vCache = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      kCache[l] = b.zeros(maxLen, kvDim);
      vCache[l] = b.zeros(maxLen, kvDim);
    }
    int r = this.chunk;
    x = b.zeros(r, c.hiddenSize());
    n = b.zeros(r, c.hiddenSize());
    tmp = b.zeros(r, c.hiddenSize());
    rstd = b.zeros(r, 1);
    q = b.zeros(r, qDim);
    k = b.zeros(r, kvDim);
    v = b.zeros(r, kvDim);
    att = b.zeros(r, qDim);
    lse = b.zeros(r, c.numAttentionHeads());
    gate = b.zeros(r, c.intermediateSize());
    up = b.zeros(r, c.intermediateSize());
    act = b.zeros(r, c.intermediateSize());
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
    Tensor xs = x.rows(0, r), ns = n.rows(0, r), ts = tmp.rows(0, r), rs = rstd.rows(0, r);
    Tensor qs = q.rows(0, r), ks = k.rows(0, r), vs = v.rows(0, r), as = att.rows(0, r);
    Tensor ls = lse.rows(0, r), gs = gate.rows(0, r), us = up.rows(0, r), acts = act.rows(0, r);
    float eps = (float) c.rmsNormEps();
    LlamaWeights w = model.weights();
    AttentionShape shape = new AttentionShape(
        1, c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), r, length + r, maxLen);
    try {
      b.embedding(w.embed(), ids, xs);
      for (int l = 0; l < c.numHiddenLayers(); l++) {
        LayerWeights lw = w.layer(l);
        b.rmsNorm(xs, lw.attnNorm(), eps, ns, rs);
        b.linear(ns, lw.wq(), lw.bq(), qs);
        b.linear(ns, lw.wk(), lw.bk(), ks);
        b.linear(ns, lw.wv(), lw.bv(), vs);
        b.rope(qs, ks, cs[0], cs[1], c.headDim());
        b.copyRows(ks, 0, kCache[l], length, r);
        b.copyRows(vs, 0, vCache[l], length, r);
        b.attention(shape, qs, kCache[l], vCache[l], as, ls);
        b.linear(as, lw.wo(), null, ts);
        b.add(xs, ts);
        b.rmsNorm(xs, lw.mlpNorm(), eps, ns, rs);
        b.linear(ns, lw.wGate(), null, gs);
        b.linear(ns, lw.wUp(), null, us);
        b.swiglu(gs, us, acts);
        b.linear(acts, lw.wDown(), null, ts);
        b.add(xs, ts);
      }
      if (logitRows > 0) {
        int first = r - logitRows;
        Tensor xl = xs.rows(first, logitRows), nl = ns.rows(first, logitRows);
        b.rmsNorm(xl, w.finalNorm(), eps, nl, rs.rows(first, logitRows));
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
    for (Tensor t : new Tensor[] {x, n, q, k, v, att, lse, tmp, gate, up, act, rstd}) t.close();
  }
}
