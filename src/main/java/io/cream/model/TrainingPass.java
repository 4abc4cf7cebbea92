package io.cream.model;

import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import java.util.Arrays;

/**
 * The explicit forward and backward pass of a Llama decoder over micro-batches of a fixed shape
 * (llm.c style: every step written out, no autograd). Gradients are accumulated into
 * {@code grads}; buffers are allocated once per shape. With {@code recompute} only each block's
 * input is kept and the block is re-run during the backward (activation checkpointing).
 *
 * <p>Blocks: {@link LlamaBlock} (the forward inference runs too). Head: logits =
 * lm_head(normF(x_L)).
 *
 * <p>The head runs over chunks of rows ({@link #logitsChunkRows}): each chunk's logits, its
 * cross-entropy and their gradient (in place), then that gradient's share of ∂/∂normF(x_L) (its
 * rows) and of ∂/∂lm_head (accumulated), before the next chunk reuses the buffer. So the full
 * rows × vocab logits never exist at once (4 GiB in fp32 for a 32K-token window of a 32,000-word
 * vocabulary); each row's numbers are those of the unchunked head, the loss sums and the
 * lm_head gradient add up in another order (float rounding).
 */
public final class TrainingPass implements AutoCloseable {
  private final LlamaModel model;
  private final LlamaConfig c;
  private final Backend b;
  private final LlamaWeights grads;
  private final int batch, seqLen, rows, chunkRows;
  private final boolean recompute;
  private final AttentionShape shape;

  private final LayerActivations[] acts;
  private final Tensor[] inputs; // per-layer block inputs when recomputing
  private final Tensor x, nf, rstdf, logits;
  private final Tensor dx, dn, dAtt, dq, dk, dv, dAct, dGate, dUp;

  /** Logits values the head holds at once, at most: 2^26 floats (256 MiB). */
  static final long LOGITS_CHUNK_ELEMENTS = 1L << 26;

  /** Rows of the head's logits chunk: as many as fit {@link #LOGITS_CHUNK_ELEMENTS}, at least one. */
  public static int logitsChunkRows(long rows, long vocab) {
    return (int) Math.max(1, Math.min(rows, LOGITS_CHUNK_ELEMENTS / Math.max(1, vocab)));
  }

  public TrainingPass(LlamaModel model, LlamaWeights grads, int batch, int seqLen, boolean recompute) {
    this(model, grads, batch, seqLen, recompute,
        logitsChunkRows((long) batch * seqLen, model.config().vocabSize()));
  }

  /** A pass whose head works on chunks of {@code logitsRows} rows (tests choose small ones). */
  public TrainingPass(LlamaModel model, LlamaWeights grads, int batch, int seqLen, boolean recompute,
      int logitsRows) {
    if (logitsRows < 1) throw new IllegalArgumentException("logitsRows must be positive, got " + logitsRows);
    this.model = model;
    this.c = model.config();
    this.b = model.backend();
    this.grads = grads;
    this.batch = batch;
    this.seqLen = seqLen;
    this.rows = batch * seqLen;
    this.recompute = recompute;
    this.chunkRows = Math.min(logitsRows, rows);
    c.requireFullAttention(seqLen);
    this.shape = AttentionShape.causal(
        batch, c.numAttentionHeads(), c.numKeyValueHeads(), c.headDim(), seqLen);
    int layers = c.numHiddenLayers();
    int hidden = c.hiddenSize();
    acts = new LayerActivations[layers];
    inputs = new Tensor[layers];
    if (recompute) {
      for (int l = 0; l < layers; l++) inputs[l] = b.zeros(rows, hidden);
      LayerActivations shared = layers > 0 ? LayerActivations.allocate(b, c, rows, inputs[0]) : null;
      for (int l = 0; l < layers; l++) acts[l] = shared.withInput(inputs[l]);
    } else {
      for (int l = 0; l < layers; l++) acts[l] = LayerActivations.allocate(b, c, rows, null);
    }
    x = b.zeros(rows, hidden);
    nf = b.matmulInput(rows, hidden); // only feeds the LM head (bf16 on a GPU in bf16 mode)
    rstdf = b.zeros(rows, 1);
    logits = b.zeros(chunkRows, c.vocabSize());
    dx = b.zeros(rows, hidden);
    dn = b.zeros(rows, hidden);
    dAtt = b.zeros(rows, shape.queryCols());
    dq = b.zeros(rows, shape.queryCols());
    dk = b.zeros(rows, shape.kvCols());
    dv = b.zeros(rows, shape.kvCols());
    dAct = b.zeros(rows, c.intermediateSize());
    // Only the gate/up products read these (bf16 on a GPU in bf16 mode), unless a bias needs sums.
    dGate = c.mlpBias() ? b.zeros(rows, c.intermediateSize()) : b.matmulInput(rows, c.intermediateSize());
    dUp = c.mlpBias() ? b.zeros(rows, c.intermediateSize()) : b.matmulInput(rows, c.intermediateSize());
  }

  /**
   * Forward and backward over one micro-batch: returns the summed loss and token count, and adds
   * gradScale·∂(summed loss)/∂θ into the gradients.
   */
  public CrossEntropyLoss forwardBackward(TrainBatch data, float gradScale) {
    checkShape(data);
    Tensor[] cs = model.ropeTables(data.positions(), maxPosition(data.positions()) + 1);
    try {
      forward(data, cs[0], cs[1]);
      CrossEntropyLoss loss = head(data.targets(), gradScale, true);
      backward(data, cs[0], cs[1]);
      return loss;
    } finally {
      cs[0].close();
      cs[1].close();
    }
  }

  /** Forward only: the summed loss over the targets (no gradients). */
  public CrossEntropyLoss loss(TrainBatch data) {
    checkShape(data);
    Tensor[] cs = model.ropeTables(data.positions(), maxPosition(data.positions()) + 1);
    try {
      forward(data, cs[0], cs[1]);
      return head(data.targets(), 1f, false);
    } finally {
      cs[0].close();
      cs[1].close();
    }
  }

  private void forward(TrainBatch data, Tensor cos, Tensor sin) {
    LlamaWeights w = model.weights();
    int layers = c.numHiddenLayers();
    b.embedding(w.embed(), data.tokens(), layers > 0 ? acts[0].x() : x);
    for (int l = 0; l < layers; l++) {
      LayerActivations a = acts[l];
      // out = h + down(act), written straight into the next block's input (no copies)
      Tensor y = l + 1 < layers ? acts[l + 1].x() : x;
      LlamaBlock.forward(b, c, w.layer(l), a, cos, sin, shape, LlamaBlock.KeyValues.OWN, y);
    }
    b.rmsNorm(x, w.finalNorm(), (float) c.rmsNormEps(), nf, rstdf);
  }

  /**
   * The LM head and the loss, chunk by chunk: logits = lm_head(nf rows), their cross-entropy; with
   * {@code backward} the gradient in place, then dn's rows and lm_head's gradient (accumulated).
   */
  private CrossEntropyLoss head(int[] targets, float gradScale, boolean backward) {
    Tensor lm = model.weights().lmHead();
    CrossEntropyLoss loss = new CrossEntropyLoss(0, 0);
    for (int r0 = 0; r0 < rows; r0 += chunkRows) {
      int n = Math.min(chunkRows, rows - r0);
      boolean whole = n == rows;
      Tensor in = whole ? nf : nf.rows(r0, n);
      Tensor out = n == chunkRows ? logits : logits.rows(0, n);
      int[] t = whole ? targets : Arrays.copyOfRange(targets, r0, r0 + n);
      b.linear(in, lm, null, out);
      loss = loss.plus(b.crossEntropy(out, t, backward ? out : null, gradScale));
      if (backward) {
        b.linearBackward(out, in, lm, whole ? dn : dn.rows(r0, n), false, grads.lmHead(), null);
      }
    }
    return loss;
  }

  private void backward(TrainBatch data, Tensor cos, Tensor sin) {
    LlamaWeights w = model.weights();
    // Head: dn holds ∂loss/∂nf (from the chunks of the head). x holds the final residual stream.
    b.rmsNormBackward(dn, x, w.finalNorm(), rstdf, dx, false, grads.finalNorm());
    for (int l = c.numHiddenLayers() - 1; l >= 0; l--) {
      LayerActivations a = acts[l];
      LayerWeights lw = w.layer(l);
      LayerWeights lg = grads.layer(l);
      if (recompute) LlamaBlock.forwardToMlp(b, c, lw, a, cos, sin, shape, LlamaBlock.KeyValues.OWN);
      // MLP: y = h + down(swiglu(gate(n2), up(n2)))
      b.linearBackward(dx, a.act(), lw.wDown(), dAct, false, lg.wDown(), null);
      b.swigluBackward(dAct, a.gate(), a.up(), dGate, dUp);
      b.linearBackward(new Tensor[] {dGate, dUp}, a.n2(), new Tensor[] {lw.wGate(), lw.wUp()}, dn,
          false, new Tensor[] {lg.wGate(), lg.wUp()}, null);
      b.rmsNormBackward(dn, a.h(), lw.mlpNorm(), a.rstd2(), dx, true, lg.mlpNorm());
      // Attention: h = x + o(att)
      b.linearBackward(dx, a.att(), lw.wo(), dAtt, false, lg.wo(), null);
      b.attentionBackward(shape, a.q(), a.k(), a.v(), a.att(), a.lse(), dAtt, dq, dk, dv);
      b.ropeBackward(dq, dk, cos, sin, c.headDim());
      b.linearBackward(new Tensor[] {dq, dk, dv}, a.n1(), new Tensor[] {lw.wq(), lw.wk(), lw.wv()},
          dn, false, new Tensor[] {lg.wq(), lg.wk(), lg.wv()},
          new Tensor[] {lg.bq(), lg.bk(), lg.bv()});
      b.rmsNormBackward(dn, a.x(), lw.attnNorm(), a.rstd1(), dx, true, lg.attnNorm());
    }
    b.embeddingBackward(dx, data.tokens(), grads.embed());
  }

  private void checkShape(TrainBatch data) {
    if (data.batch() != batch || data.seqLen() != seqLen) {
      throw new IllegalArgumentException("this pass was built for " + batch + "×" + seqLen
          + " batches, got " + data.batch() + "×" + data.seqLen());
    }
  }

  private static int maxPosition(int[] positions) {
    int m = 0;
    for (int p : positions) m = Math.max(m, p);
    return m;
  }

  @Override
  public void close() {
    if (recompute) {
      if (acts.length > 0) acts[0].close(); // the shared scratch and the first input
      for (Tensor t : inputs) t.close(); // (closing twice is harmless)
    } else {
      for (LayerActivations a : acts) a.close();
    }
    for (Tensor t : new Tensor[] {x, nf, rstdf, logits, dx, dn, dAtt, dq, dk, dv, dAct, dGate, dUp}) {
      t.close();
    }
  }
}
