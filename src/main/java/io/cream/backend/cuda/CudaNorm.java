package io.cream.backend.cuda;

/**
 * RMSNorm forward and backward on the device (kernels in norm.cu), one block per row. The
 * forward's output may be bf16 (a matrix-product input, {@link CudaBackend#matmulInput}).
 */
final class CudaNorm {
  private static final int MAX_ROW_CHUNKS = 256;

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
