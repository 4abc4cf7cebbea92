package io.cream.model;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;

/**
 * What one block's forward keeps for its backward, for n rows: the block input x and the
 * mid-block residual h, the two norms' outputs and reciprocal rms, q/k (after RoPE), v, the
 * attention output and log-sum-exp, and the MLP's gate, up and swiglu output. n1, n2, act and the
 * attention output only feed linear layers (forward and weight gradients; the attention backward
 * reads its output too, which bf16 attention kernels take as they are), so they are {@link
 * Backend#matmulInput} tensors: bf16 on a GPU in bf16 mode, float32 elsewhere.
 */
record LayerActivations(
    Tensor x, Tensor n1, Tensor rstd1, Tensor q, Tensor k, Tensor v, Tensor att, Tensor lse,
    Tensor h, Tensor n2, Tensor rstd2, Tensor gate, Tensor up, Tensor act) implements AutoCloseable {

  /** A block's tensors for n rows; {@code input} (when not null) serves as x. */
  static LayerActivations allocate(Backend b, LlamaConfig c, int rows, Tensor input) {
    int hidden = c.hiddenSize();
    int q = c.numAttentionHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    int ffn = c.intermediateSize();
    return new LayerActivations(
        input != null ? input : b.zeros(rows, hidden), b.matmulInput(rows, hidden), b.zeros(rows, 1),
        b.zeros(rows, q), b.zeros(rows, kv), b.zeros(rows, kv),
        b.matmulInput(rows, q), b.zeros(rows, c.numAttentionHeads()),
        b.zeros(rows, hidden), b.matmulInput(rows, hidden), b.zeros(rows, 1),
        b.zeros(rows, ffn), b.zeros(rows, ffn), b.matmulInput(rows, ffn));
  }

  /** With recomputation only x is kept per layer; the rest is shared scratch. */
  LayerActivations withInput(Tensor input) {
    return new LayerActivations(input, n1, rstd1, q, k, v, att, lse, h, n2, rstd2, gate, up, act);
  }

  /** Views of the first {@code count} rows (inference's last chunk is shorter than its buffers). */
  LayerActivations rows(int count) {
    return new LayerActivations(x.rows(0, count), n1.rows(0, count), rstd1.rows(0, count),
        q.rows(0, count), k.rows(0, count), v.rows(0, count), att.rows(0, count), lse.rows(0, count),
        h.rows(0, count), n2.rows(0, count), rstd2.rows(0, count), gate.rows(0, count),
        up.rows(0, count), act.rows(0, count));
  }

  @Override
  public void close() {
    for (Tensor t : new Tensor[] {x, n1, rstd1, q, k, v, att, lse, h, n2, rstd2, gate, up, act}) {
      t.close();
    }
  }
}
