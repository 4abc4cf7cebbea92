package io.cream.backend.cuda;

import io.cream.backend.AttentionShape;

/**
 * Rounds float32 device arrays to bfloat16 copies (round to nearest, ties to even; the kernel
 * f32_to_bf16 in elementwise.cu), the operands of the bf16 tensor-core products. One read of 4
 * bytes and one write of 2 per element: bandwidth-bound, a fraction of the product it feeds.
 */
final class Bf16Cast {
  /** Bytes per bf16 element. */
  static final long BYTES = CudaTensor.Dtype.BF16.bytes;

  private final Workspace ws;

  Bf16Cast(Workspace ws) {
    this.ws = ws;
  }

  /** A temporary buffer holding bf16(t); close it once the work that reads it is queued. */
  Workspace.Scratch copyOf(CudaTensor t) {
    return copyOf(t.pointer(), t.size());
  }

  /** A temporary buffer holding bf16 of the n float32 values at src (e.g. a tensor's first rows). */
  Workspace.Scratch copyOf(long src, long n) {
    Workspace.Scratch s = ws.scratch(Math.max(1, n) * BYTES);
    try {
      round(src, s.pointer, n);
      return s;
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /**
   * A bf16 copy of attention's K or V in their layout (batch × kvStride rows); with one sequence
   * only the rows the keys use, so a prefill into a long KV cache does not copy the empty rest.
   */
  Workspace.Scratch copyOfKv(AttentionShape s, CudaTensor t) {
    if (s.batch() > 1) return copyOf(t);
    return copyOf(t.pointer(), Math.min(t.size(), (long) s.keyLen() * s.kvCols()));
  }

  /** dst[i] = bf16(src[i]) for i < n (src float32, dst bf16, both device pointers). */
  void round(long src, long dst, long n) {
    if (n == 0) return;
    ws.kernel("elementwise", "f32_to_bf16").call().grid(ws.gridFor((n + 3) / 4))
        .block(Workspace.THREADS).ptr(src).ptr(dst).i64(n).launch();
  }

  /** dst[i] = float32(src[i]) for i < n (src bf16, dst float32): exact. */
  void widen(long src, long dst, long n) {
    if (n == 0) return;
    ws.kernel("elementwise", "bf16_to_f32").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(src).ptr(dst).i64(n).launch();
  }
}
