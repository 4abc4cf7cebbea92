package io.cream.backend.cuda;

import io.cream.backend.AttentionShape;

/**
 * Causal GQA attention on the device (kernels in attention_fwd.cu and attention_bwd.cu): tiles of
 * 32 queries × 32 keys in shared memory, online softmax, O(T·d) memory. The tile sizes here must
 * match the kernels' ATT_BQ and ATT_BK.
 */
final class CudaAttention {
  private static final int TILE = 32;
  private static final int THREADS = 256;
  /** Each lane keeps up to 8 columns of a row: headDim ≤ 256. */
  static final int MAX_HEAD_DIM = 256;

  private final Workspace ws;

  CudaAttention(Workspace ws) {
    this.ws = ws;
  }

  void forward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, CudaTensor out,
      CudaTensor lse) {
    int d = s.headDim();
    int shared = floats(TILE * d + TILE * (d + 1) + TILE * d);
    ws.kernel("attention_fwd", "attention_fwd").call()
        .grid(Workspace.ceilDiv(s.queryLen(), TILE), s.heads(), s.batch()).block(THREADS)
        .shared(shared).ptr(q.pointer()).ptr(k.pointer()).ptr(v.pointer()).ptr(out.pointer())
        .ptr(lse.pointer()).i32(s.heads()).i32(s.kvHeads()).i32(d).i32(s.queryLen())
        .i32(s.keyLen()).i32(s.kvStride()).f32((float) s.scale()).launch();
  }

  void backward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, CudaTensor out,
      CudaTensor lse, CudaTensor dOut, CudaTensor dq, CudaTensor dk, CudaTensor dv) {
    int d = s.headDim();
    long statRows = (long) s.queryRows() * s.heads();
    float scale = (float) s.scale();
    try (Workspace.Scratch delta = ws.scratch(statRows * Workspace.FLOAT)) {
      ws.kernel("attention_bwd", "attention_bwd_delta").call()
          .grid(Workspace.ceilDiv(statRows * 32, THREADS)).block(THREADS)
          .ptr(out.pointer()).ptr(dOut.pointer()).ptr(delta.pointer).i32(s.queryRows())
          .i32(s.heads()).i32(d).launch();
      ws.kernel("attention_bwd", "attention_bwd_dq").call()
          .grid(Workspace.ceilDiv(s.queryLen(), TILE), s.heads(), s.batch()).block(THREADS)
          .shared(floats(2 * TILE * d + 2 * TILE * (d + 1)))
          .ptr(q.pointer()).ptr(k.pointer()).ptr(v.pointer()).ptr(lse.pointer())
          .ptr(delta.pointer).ptr(dOut.pointer()).ptr(dq.pointer()).i32(s.heads())
          .i32(s.kvHeads()).i32(d).i32(s.queryLen()).i32(s.keyLen()).i32(s.kvStride())
          .f32(scale).launch();
      ws.kernel("attention_bwd", "attention_bwd_dkdv").call()
          .grid(Workspace.ceilDiv(s.keyLen(), TILE), s.kvHeads(), s.batch()).block(THREADS)
          .shared(floats(2 * TILE * d + 2 * TILE * (d + 1) + 2 * TILE))
          .ptr(q.pointer()).ptr(k.pointer()).ptr(v.pointer()).ptr(lse.pointer())
          .ptr(delta.pointer).ptr(dOut.pointer()).ptr(dk.pointer()).ptr(dv.pointer())
          .i32(s.heads()).i32(s.kvHeads()).i32(d).i32(s.queryLen()).i32(s.keyLen())
          .i32(s.kvStride()).f32(scale).launch();
    }
  }

  private static int floats(int n) {
    return n * Float.BYTES;
  }
}
