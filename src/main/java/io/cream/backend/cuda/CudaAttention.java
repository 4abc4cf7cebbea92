package io.cream.backend.cuda;

import io.cream.backend.AttentionShape;

/**
 * Causal GQA attention on the device, online softmax, O(T·d) memory. Head dims 64 and 128 on GPUs
 * with tensor cores (sm_80+) run mma.sync tiles: attention_tc.cu with three TF32 products per
 * tile for fp32 accuracy ({@link Precision#FP32}) or one ({@link Precision#TF32}), and
 * attention_bf16_fwd.cu / attention_bf16_bwd.cu with bf16 operands and fp32 accumulation
 * ({@link Precision#BF16}). Other head dims (and CREAM_CUDA_TENSOR_CORES=0) run the CUDA-core
 * kernels of attention_fwd.cu and attention_bwd.cu: tiles of 32 queries × 32 keys, fp32 in every
 * mode. The tile sizes here must match the kernels' (ATT_BQ, ATT_BK; TILE_THREADS, TC_BQ, TC_BK,
 * TC_BKV, TC_BQ2, which attention_bf16_tiles.cuh shares as BF_*) and so must the shared-memory
 * layouts ({@link Bf16AttentionKernels} for bf16).
 */
final class CudaAttention {
  private static final int TILE = 32;
  private static final int THREADS = 256;
  /** Each lane keeps up to 8 columns of a row: headDim ≤ 256. */
  static final int MAX_HEAD_DIM = 256;
  private static final int TC_THREADS = 128, TC_BQ = 64, TC_BK = 32, TC_BKV = 64, TC_BQ2 = 32;
  /** Four warps' 16 × 32 probability tiles (row stride 36). */
  private static final int TC_P_FLOATS = 4 * 16 * 36;
  /** Split the keys of a forward with fewer blocks than this (about two per SM of an H100). */
  private static final int SPLIT_BELOW_BLOCKS = 256;
  private static final int SPLIT_KEYS = 512, MAX_SPLITS = 128;
  /**
   * The bf16 forward reads bf16 copies of q, k, v only from two query blocks on: with one (a
   * decoding step, a short chunk) each block reads the keys once, so copying them first (every
   * row of the cache, in batches) would cost about what it saves.
   */
  private static final int CAST_MIN_QUERIES = 2 * TC_BQ;

  private final Workspace ws;
  private final boolean tensorCores;
  private final boolean bf16;
  /** The bf16 kernels (null unless bf16). */
  private final Bf16AttentionKernels bf16Kernels;
  /** The kernel files of the forward and the backward, and the TF32 kernels' suffix (_x1, _x3). */
  private final String fwdFile, bwdFile, variant;
  /** cuDNN's fused kernels for bf16 training shapes (null: not bf16, disabled or not installed). */
  private final CudnnAttention cudnn;

  /**
   * @param tensorCores whether the device has TF32 and bf16 mma (compute capability 8.0 or later)
   * @param precision FP32: three TF32 products per tile (~1e-6); TF32: one (~1e-3); BF16: bf16
   *     operands, fp32 softmax and accumulation (~1e-2)
   */
  CudaAttention(Workspace ws, boolean tensorCores, Precision precision) {
    this.ws = ws;
    this.tensorCores = tensorCores && !"0".equals(System.getenv("CREAM_CUDA_TENSOR_CORES"));
    this.bf16 = precision == Precision.BF16;
    this.bf16Kernels = bf16 ? new Bf16AttentionKernels() : null;
    this.fwdFile = bf16 ? Bf16AttentionKernels.Pass.FWD.file() : "attention_tc";
    this.bwdFile = bf16 ? Bf16AttentionKernels.Pass.DQ.file() : "attention_tc";
    this.variant = precision == Precision.TF32 ? "_x1" : "_x3";
    this.cudnn = this.tensorCores ? CudnnAttention.open(ws, precision) : null;
  }

  /** Frees what cuDNN planned for this backend (its descriptors and execution plans). */
  void close() {
    if (cudnn == null) return;
    ws.ctx.makeCurrent();
    cudnn.close();
  }

  /** Which kernels run attention of this shape, for logs and benchmark reports. */
  String implementation(AttentionShape s) {
    if (cudnn != null && cudnn.supportsForward(s)) {
      return cudnn.description() + (cudnn.supportsBackward(s) ? "" : "; backward: cream's kernels");
    }
    if (!usesTensorCores(s)) return "cream CUDA-core kernels";
    return bf16 ? "cream bf16 mma.sync kernels" : "cream TF32 mma.sync kernels";
  }


  /** Whether this shape runs on the tensor-core kernels. */
  boolean usesTensorCores(AttentionShape s) {
    return tensorCores && (s.headDim() == 64 || s.headDim() == 128);
  }

  void forward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, CudaTensor out,
      CudaTensor lse) {
    if (cudnn != null && cudnn.supportsForward(s)) {
      cudnn.forward(s, q, k, v, out, lse);
      return;
    }
    if (out.isBf16()) { // a bf16 out (o_proj's input): the kernels write fp32, rounded once here
      try (Workspace.Scratch f = ws.scratch(out.size() * Workspace.FLOAT)) {
        forwardInto(s, q, k, v, f.pointer, lse);
        new Bf16Cast(ws).round(f.pointer, out.pointer(), out.size());
      }
      return;
    }
    forwardInto(s, q, k, v, out.pointer(), lse);
  }

  /** cream's kernels, writing the fp32 output at out. */
  private void forwardInto(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, long out,
      CudaTensor lse) {
    int d = s.headDim();
    if (usesTensorCores(s)) {
      int splits = splits(s);
      if (splits == 1) {
        tensorCoreForward(s, q, k, v, out, lse.pointer(), 1, s.keyLen());
        return;
      }
      // Few query rows over many keys (decoding): split the keys over blocks, then merge.
      int splitLen = Workspace.ceilDiv(Workspace.ceilDiv(s.keyLen(), splits), TC_BK) * TC_BK;
      splits = Workspace.ceilDiv(s.keyLen(), splitLen);
      long stats = (long) splits * s.queryRows() * s.heads();
      try (Workspace.Scratch partO = ws.scratch(stats * d * Workspace.FLOAT);
          Workspace.Scratch partLse = ws.scratch(stats * Workspace.FLOAT)) {
        tensorCoreForward(s, q, k, v, partO.pointer, partLse.pointer, splits, splitLen);
        long warps = (long) s.queryRows() * s.heads();
        ws.kernel("attention_tc", "attention_tc_combine").call()
            .grid(Workspace.ceilDiv(warps * 32, THREADS)).block(THREADS)
            .ptr(partO.pointer).ptr(partLse.pointer).ptr(out).ptr(lse.pointer())
            .i32(s.queryRows()).i32(s.heads()).i32(d).i32(splits).launch();
      }
      return;
    }
    int shared = floats(TILE * d + TILE * (d + 1) + TILE * d);
    ws.kernel("attention_fwd", "attention_fwd").call()
        .grid(Workspace.ceilDiv(s.queryLen(), TILE), s.heads(), s.batch()).block(THREADS)
        .shared(shared).ptr(q.pointer()).ptr(k.pointer()).ptr(v.pointer()).ptr(out)
        .ptr(lse.pointer()).i32(s.heads()).i32(s.kvHeads()).i32(d).i32(s.queryLen())
        .i32(s.keyLen()).i32(s.kvStride()).f32((float) s.scale()).launch();
  }

  void backward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, CudaTensor out,
      CudaTensor lse, CudaTensor dOut, CudaTensor dq, CudaTensor dk, CudaTensor dv) {
    if (cudnn != null && cudnn.supportsBackward(s)) {
      cudnn.backward(s, q, k, v, out, lse, dOut, dq, dk, dv);
      return;
    }
    int d = s.headDim();
    long statRows = (long) s.queryRows() * s.heads();
    float scale = (float) s.scale();
    try (Workspace.Scratch delta = ws.scratch(statRows * Workspace.FLOAT);
        Workspace.Scratch outF32 = out.isBf16() ? ws.scratch(out.size() * Workspace.FLOAT) : null) {
      if (outF32 != null) new Bf16Cast(ws).widen(out.pointer(), outF32.pointer, out.size());
      ws.kernel("attention_bwd", "attention_bwd_delta").call()
          .grid(Workspace.ceilDiv(statRows * 32, THREADS)).block(THREADS)
          .ptr(outF32 != null ? outF32.pointer : out.pointer()).ptr(dOut.pointer()).ptr(delta.pointer).i32(s.queryRows())
          .i32(s.heads()).i32(d).launch();
      if (usesTensorCores(s)) {
        tensorCoreBackward(s, q, k, v, lse, dOut, dq, dk, dv, delta.pointer);
        return;
      }
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

  /**
   * Key splits for a tensor-core forward: 1 when the query tiles alone fill the GPU, else enough
   * to give each block about SPLIT_KEYS keys.
   */
  static int splits(AttentionShape s) {
    long blocks = (long) Workspace.ceilDiv(s.queryLen(), TC_BQ) * s.heads() * s.batch();
    if (blocks >= SPLIT_BELOW_BLOCKS) return 1;
    return (int) Math.max(1, Math.min(Math.min(MAX_SPLITS, 65_535 / s.batch()),
        Workspace.ceilDiv(s.keyLen(), SPLIT_KEYS)));
  }

  private void tensorCoreForward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v,
      long out, long lse, int splits, int splitLen) {
    int d = s.headDim();
    String name = "attention_tc_fwd_d" + d + variant;
    int shared = floats((TC_BQ + 2 * TC_BK) * (d + 4) + TC_P_FLOATS);
    if (bf16) {
      var pass = Bf16AttentionKernels.Pass.FWD;
      Bf16AttentionKernels.Choice c = splits == 1 && s.queryLen() >= CAST_MIN_QUERIES
          ? bf16Kernels.choose(pass, d) : bf16Kernels.uncast(pass, d);
      if (c.bf16Inputs()) {
        bf16CastForward(s, c, q, k, v, out, lse);
        return;
      }
      name = c.name();
      shared = c.sharedBytes();
    }
    ws.kernel(fwdFile, name).call()
        .grid(Workspace.ceilDiv(s.queryLen(), TC_BQ), s.heads(), s.batch() * splits)
        .block(TC_THREADS).shared(shared)
        .ptr(q.pointer()).ptr(k.pointer()).ptr(v.pointer()).ptr(out).ptr(lse)
        .i32(s.heads()).i32(s.kvHeads()).i32(s.queryLen()).i32(s.keyLen()).i32(s.kvStride())
        .f32((float) s.scale()).i32(splits).i32(splitLen).launch();
  }

  /** The bf16 forward on bf16 copies of q, k, v (one key part). */
  private void bf16CastForward(AttentionShape s, Bf16AttentionKernels.Choice c, CudaTensor q,
      CudaTensor k, CudaTensor v, long out, long lse) {
    Bf16Cast cast = new Bf16Cast(ws);
    try (Workspace.Scratch qb = cast.copyOf(q); Workspace.Scratch kb = cast.copyOfKv(s, k);
        Workspace.Scratch vb = cast.copyOfKv(s, v)) {
      ws.kernel(fwdFile, c.name()).call()
          .grid(Workspace.ceilDiv(s.queryLen(), TC_BQ), s.heads(), s.batch())
          .block(TC_THREADS).shared(c.sharedBytes())
          .ptr(qb.pointer).ptr(kb.pointer).ptr(vb.pointer).ptr(out).ptr(lse)
          .i32(s.heads()).i32(s.kvHeads()).i32(s.queryLen()).i32(s.keyLen()).i32(s.kvStride())
          .f32((float) s.scale()).launch();
    }
  }

  private void tensorCoreBackward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v,
      CudaTensor lse, CudaTensor dOut, CudaTensor dq, CudaTensor dk, CudaTensor dv, long delta) {
    int d = s.headDim();
    String dqName = "attention_tc_dq_d" + d + variant;
    String dkdvName = "attention_tc_dkdv_d" + d + variant;
    int dqShared = floats((2 * TC_BQ + 2 * TC_BK) * (d + 4) + TC_P_FLOATS);
    int dkdvShared = floats((2 * TC_BKV + 2 * TC_BQ2) * (d + 4) + TC_P_FLOATS + 2 * TC_BQ2);
    if (!bf16) {
      backwardKernels(s, dqName, dqShared, dkdvName, dkdvShared, q.pointer(), k.pointer(),
          v.pointer(), lse, dOut.pointer(), dq, dk, dv, delta);
      return;
    }
    Bf16AttentionKernels.Choice cq = bf16Kernels.choose(Bf16AttentionKernels.Pass.DQ, d);
    Bf16AttentionKernels.Choice ckv = bf16Kernels.choose(Bf16AttentionKernels.Pass.DKDV, d);
    if (cq.bf16Inputs() != ckv.bf16Inputs()) {
      throw new IllegalStateException("bf16 backward kernels disagree on their inputs: " + cq
          + ", " + ckv);
    }
    if (!cq.bf16Inputs()) {
      backwardKernels(s, cq.name(), cq.sharedBytes(), ckv.name(), ckv.sharedBytes(), q.pointer(),
          k.pointer(), v.pointer(), lse, dOut.pointer(), dq, dk, dv, delta);
      return;
    }
    // One rounding of each operand here instead of one per tile and block in the kernels.
    Bf16Cast cast = new Bf16Cast(ws);
    try (Workspace.Scratch qb = cast.copyOf(q); Workspace.Scratch kb = cast.copyOfKv(s, k);
        Workspace.Scratch vb = cast.copyOfKv(s, v); Workspace.Scratch db = cast.copyOf(dOut)) {
      backwardKernels(s, cq.name(), cq.sharedBytes(), ckv.name(), ckv.sharedBytes(), qb.pointer,
          kb.pointer, vb.pointer, lse, db.pointer, dq, dk, dv, delta);
    }
  }

  /** The dQ kernel, then the dK/dV kernel, on the operands q, k, v, dOut (device pointers). */
  private void backwardKernels(AttentionShape s, String dqName, int dqShared, String dkdvName,
      int dkdvShared, long q, long k, long v, CudaTensor lse, long dOut, CudaTensor dq,
      CudaTensor dk, CudaTensor dv, long delta) {
    float scale = (float) s.scale();
    ws.kernel(bwdFile, dqName).call()
        .grid(Workspace.ceilDiv(s.queryLen(), TC_BQ), s.heads(), s.batch()).block(TC_THREADS)
        .shared(dqShared)
        .ptr(q).ptr(k).ptr(v).ptr(lse.pointer()).ptr(delta)
        .ptr(dOut).ptr(dq.pointer()).i32(s.heads()).i32(s.kvHeads())
        .i32(s.queryLen()).i32(s.keyLen()).i32(s.kvStride()).f32(scale).launch();
    ws.kernel(bwdFile, dkdvName).call()
        .grid(s.kvHeads(), s.batch(), Workspace.ceilDiv(s.keyLen(), TC_BKV)).block(TC_THREADS)
        .shared(dkdvShared)
        .ptr(q).ptr(k).ptr(v).ptr(lse.pointer()).ptr(delta)
        .ptr(dOut).ptr(dk.pointer()).ptr(dv.pointer()).i32(s.heads())
        .i32(s.kvHeads()).i32(s.queryLen()).i32(s.keyLen()).i32(s.kvStride()).f32(scale)
        .launch();
  }

  private static int floats(int n) {
    return n * Float.BYTES;
  }
}
