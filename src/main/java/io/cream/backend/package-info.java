/**
 * The compute interface the model is written against: {@link io.cream.backend.Backend} (the ops,
 * each with its backward) and {@link io.cream.backend.Tensor} (an opaque handle to device memory).
 * The model's forward and backward passes call only this interface, block by block, so the same
 * model code runs on the CPU ({@code cpu}, float32, Vector API) and on NVIDIA GPUs ({@code cuda}:
 * weights, gradients and optimizer state are float32 master copies; matrix products and attention
 * run in fp32, tf32 or bf16 with float32 accumulation; in bf16 mode the activations that only
 * feed products are stored in bf16 too).
 *
 * <p><b>Ownership.</b> A tensor belongs to the backend that made it ({@code zeros}, {@code upload})
 * and only that backend may operate on it; {@code close()} frees its memory, and any later use of
 * it throws IllegalStateException. {@code rows(first, count)} makes a view: it shares the parent's
 * storage, owns nothing (its close does nothing) and must not outlive the parent. Host arrays
 * passed in (uploads, token ids, targets) are copied or only read during the call; arrays returned
 * (downloads, argmax, log-probabilities) are fresh and belong to the caller.
 *
 * <p><b>Shapes.</b> Every tensor is a row-major matrix rows × cols. Tokens of a batch are rows
 * (B·T rows, sequence after sequence); attention heads are column blocks: q is
 * [B·T × heads·headDim] and k, v are [B·kvStride × kvHeads·headDim] (see
 * {@link io.cream.backend.AttentionShape}). Vectors are one row: an RMSNorm weight or a bias is
 * [1 × C]; per-row statistics are columns: rstd is [n × 1], attention's log-sum-exp [n × heads].
 * Linear weights keep the Hugging Face layout [out × in], so y = x·Wᵀ. RoPE tables cos, sin are
 * [n × headDim/2], one row per token, so position ids can be arbitrary. Arguments are checked and a
 * wrong shape, an out-of-range id or an output overlapping an input throws
 * IllegalArgumentException naming the op and the tensor.
 *
 * <p><b>What accumulates.</b> Parameter gradients always accumulate ({@code +=}): dWeight of
 * RMSNorm, dW and dBias of linear, dTable of the embedding; zero them when a new accumulation
 * window starts. Input gradients are overwritten, except where the call takes
 * {@code accumulateDx} (RMSNorm and linear, to add into a residual stream's gradient). Attention
 * overwrites dq, dk, dv; SwiGLU overwrites dGate, dUp; RoPE's backward works in place on the
 * gradient; cross-entropy overwrites dLogits. {@code add} is a += b; {@code scale} and
 * {@code adamW} update in place.
 *
 * <p><b>Numerics.</b> Reductions that decide accuracy (rms, softmax sums, the loss, sums of
 * squares, the bias and norm-weight column sums on the CPU) run in double; results are float32
 * within ~1e-5 relative of a float64 reference (bf16 products: ~1e-2). Results do not depend on the
 * thread count on the CPU: each output element is written by one task, and parallel reductions
 * combine fixed blocks in a fixed order.
 */
package io.cream.backend;
