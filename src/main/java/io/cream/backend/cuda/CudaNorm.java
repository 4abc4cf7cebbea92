package io.cream.backend.cuda;

/**
 * RMSNorm forward and backward on the device (kernels in norm.cu): the forward one block per row,
 * its output possibly bf16 (a matrix-product input, {@link CudaBackend#matmulInput}); the backward
 * one pass over dy and x for dx and the weight gradient's column sums of 16-row chunks (the
 * training case), or separate kernels when only one of them is asked for or a row is too wide for
 * shared memory.
 */
final class CudaNorm {
  private static final int MAX_ROW_CHUNKS = 256;
  /** Rows per block of the fused backward: ~1000 blocks for a 16K-row batch keep every SM busy. */
  private static final int FUSED_ROWS = 16;
  /**
   * The fused backward keeps cols doubles in shared memory, beside 256 bytes of its own: up to
   * 5888 columns under the 48 KiB a block gets without opting in (7B's 4096 take 32 KiB).
   */
  private static final long FUSED_SHARED_BYTES = 46 * 1024;

  private final Workspace ws;
  private final CudaElementwise elementwise;

  CudaNorm(Workspace ws, CudaElementwise elementwise) {
    this.ws = ws;
    this.elementwise = elementwise;
  }

  void forward(CudaTensor x, CudaTensor w, float eps, CudaTensor y, CudaTensor rstd) {
    if (x.rows() == 0) return;
    // A bf16 output is a matrix-product input: rounded once here, in the kernel's epilogue
    ws.kernel("norm", y.isBf16() ? "rmsnorm_fwd_bf16" : "rmsnorm_fwd").call().grid(x.rows()).block(Workspace.THREADS)
        .ptr(x.pointer()).ptr(w.pointer()).ptr(y.pointer()).ptr(rstd.pointer()).i32(x.cols())
        .f32(eps).launch();
  }

  void backward(CudaTensor dy, CudaTensor x, CudaTensor w, CudaTensor rstd, CudaTensor dx,
      boolean accumulateDx, CudaTensor dw) {
    int rows = x.rows(), cols = x.cols();
    if (rows == 0) return;
    if (dx != null && dw != null && (long) cols * Workspace.DOUBLE <= FUSED_SHARED_BYTES) {
      // One pass: dx and the weight gradient's partial column sums of FUSED_ROWS-row chunks.
      int chunks = Workspace.ceilDiv(rows, FUSED_ROWS);
      try (Workspace.Scratch part = ws.scratch((long) chunks * cols * Workspace.DOUBLE)) {
        ws.kernel("norm", "rmsnorm_bwd_fused").call().grid(chunks).block(Workspace.THREADS)
            .shared((int) (cols * Workspace.DOUBLE)).ptr(dy.pointer()).ptr(x.pointer())
            .ptr(w.pointer()).ptr(rstd.pointer()).ptr(dx.pointer()).i32(rows).i32(cols)
            .i32(FUSED_ROWS).i32(accumulateDx ? 1 : 0).ptr(part.pointer).launch();
        elementwise.finishColumnSums(part.pointer, chunks, cols, dw);
      }
      return;
    }
    if (dx != null) {
      ws.kernel("norm", "rmsnorm_bwd_dx").call().grid(rows).block(Workspace.THREADS)
          .ptr(dy.pointer()).ptr(x.pointer()).ptr(w.pointer()).ptr(rstd.pointer())
          .ptr(dx.pointer()).i32(cols).i32(accumulateDx ? 1 : 0).launch();
    }
    if (dw != null) {
      int chunks = Math.min(MAX_ROW_CHUNKS, Workspace.ceilDiv(rows, 64));
      int perChunk = Workspace.ceilDiv(rows, chunks);
      chunks = Workspace.ceilDiv(rows, perChunk);
      try (Workspace.Scratch part = ws.scratch((long) chunks * cols * Workspace.DOUBLE)) {
        ws.kernel("norm", "rmsnorm_dw_partial").call()
            .grid(Workspace.ceilDiv(cols, Workspace.THREADS), chunks, 1).block(Workspace.THREADS)
            .ptr(dy.pointer()).ptr(x.pointer()).ptr(rstd.pointer()).i32(rows).i32(cols)
            .i32(perChunk).ptr(part.pointer).launch();
        elementwise.finishColumnSums(part.pointer, chunks, cols, dw);
      }
    }
  }
}
