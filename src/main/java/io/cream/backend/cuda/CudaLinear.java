package io.cream.backend.cuda;

/**
 * The linear layer through cuBLAS. Row-major matrices are the transposes of column-major ones,
 * so with x [n × in], w [out × in] and y [n × out] row-major: yᵀ = w·xᵀ is
 * gemm(T, N, out, n, in) over (w, x); dxᵀ = wᵀ·dyᵀ is gemm(N, N, in, n, out) over (w, dy); and
 * dWᵀ += xᵀ·dy is gemm(N, T, in, out, n) over (x, dy).
 */
final class CudaLinear {
  private final Workspace ws;
  private final CudaElementwise elementwise;
  private final int computeType;

  CudaLinear(Workspace ws, CudaElementwise elementwise, boolean tf32) {
    this.ws = ws;
    this.elementwise = elementwise;
    this.computeType = tf32 ? Cublas.COMPUTE_32F_FAST_TF32 : Cublas.COMPUTE_32F;
  }

  void forward(CudaTensor x, CudaTensor w, CudaTensor bias, CudaTensor y) {
    int n = x.rows(), in = x.cols(), out = w.rows();
    if (n == 0) return;
    ws.ctx.cublas.gemm(Cublas.OP_T, Cublas.OP_N, out, n, in, w.pointer(), in, x.pointer(), in,
        false, y.pointer(), out, computeType);
    if (bias != null) elementwise.addBias(y, bias);
  }

  void backward(CudaTensor dy, CudaTensor x, CudaTensor w, CudaTensor dx, boolean accumulateDx,
      CudaTensor dw, CudaTensor dBias) {
    int n = x.rows(), in = x.cols(), out = w.rows();
    if (n == 0) return;
    if (dx != null) {
      ws.ctx.cublas.gemm(Cublas.OP_N, Cublas.OP_N, in, n, out, w.pointer(), in, dy.pointer(), out,
          accumulateDx, dx.pointer(), in, computeType);
    }
    if (dw != null) {
      ws.ctx.cublas.gemm(Cublas.OP_N, Cublas.OP_T, in, out, n, x.pointer(), in, dy.pointer(), out,
          true, dw.pointer(), in, computeType);
    }
    if (dBias != null) elementwise.addColumnSums(dy, dBias);
  }
}
