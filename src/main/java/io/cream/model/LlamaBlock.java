package io.cream.model;

import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.Tensor;

/**
 * One Llama decoder block's forward, the one that training, recomputation and inference all run:
 * n1 = norm1(x); q, k, v = rope(q(n1)), rope(k(n1)), v(n1); h = x + o(attn(q, K, V));
 * n2 = norm2(h); act = silu(gate(n2))·up(n2); out = h + down(act).
 * K and V are what {@link KeyValues} makes of this block's k and v: training attends over them as
 * they are; inference appends them to its cache and attends over the whole cache.
 */
final class LlamaBlock {
  /** Where a block's keys and values go before attention; returns {keys, values} to attend over. */
  @FunctionalInterface
  interface KeyValues {
    Tensor[] store(Tensor k, Tensor v);

    /** Attend over the block's own rows (training: the whole sequence is in the batch). */
    KeyValues OWN = (k, v) -> new Tensor[] {k, v};
  }

  private LlamaBlock() {}

  /**
   * From a.x(): fills n1, q, k, v, att, lse, h, n2, gate, up and act — everything the backward reads
   * (so recomputation runs exactly this).
   */
  static void forwardToMlp(Backend b, LlamaConfig c, LayerWeights w, LayerActivations a,
      Tensor cos, Tensor sin, AttentionShape shape, KeyValues kv) {
    float eps = (float) c.rmsNormEps();
    b.rmsNorm(a.x(), w.attnNorm(), eps, a.n1(), a.rstd1());
    b.linear(a.n1(), new Tensor[] {w.wq(), w.wk(), w.wv()}, new Tensor[] {w.bq(), w.bk(), w.bv()},
        new Tensor[] {a.q(), a.k(), a.v()});
    b.rope(a.q(), a.k(), cos, sin, c.headDim());
    Tensor[] keysValues = kv.store(a.k(), a.v());
    b.attention(shape, a.q(), keysValues[0], keysValues[1], a.att(), a.lse());
    b.linear(a.att(), w.wo(), null, a.h());
    b.add(a.h(), a.x());
    b.rmsNorm(a.h(), w.mlpNorm(), eps, a.n2(), a.rstd2());
    b.linear(a.n2(), new Tensor[] {w.wGate(), w.wUp()}, null, new Tensor[] {a.gate(), a.up()});
    b.swiglu(a.gate(), a.up(), a.act());
  }

  /**
   * The whole block: {@link #forwardToMlp}, then out = h + down(act). {@code out} is the next
   * block's input; it may be a.x() itself when nothing needs the input afterwards (inference).
   */
  static void forward(Backend b, LlamaConfig c, LayerWeights w, LayerActivations a,
      Tensor cos, Tensor sin, AttentionShape shape, KeyValues kv, Tensor out) {
    forwardToMlp(b, c, w, a, cos, sin, shape, kv);
    b.linear(a.act(), w.wDown(), null, out);
    b.add(out, a.h());
  }
}
