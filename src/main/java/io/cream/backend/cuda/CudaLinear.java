package io.cream.backend.cuda;

import io.cream.util.UserError;
import java.util.IdentityHashMap;

/**
 * The linear layer through cuBLAS. Row-major matrices are the transposes of column-major ones,
 * so with x [n × in], w [out × in] and y [n × out] row-major: yᵀ = w·xᵀ is
 * gemm(T, N, out, n, in) over (w, x); dxᵀ = wᵀ·dyᵀ is gemm(N, N, in, n, out) over (w, dy); and
 * dWᵀ += xᵀ·dy is gemm(N, T, in, out, n) over (x, dy).
 *
 * <p>In {@link Precision#BF16} the operands x, w and dy are rounded to bf16 copies right before
 * each product (dy once for both of its products, x once for all the layers that read it:
 * q/k/v and gate/up, forward and backward) and multiplied on bf16 tensor cores with fp32
 * accumulation; y, dx and dW stay float32, so accumulating into dx and dW adds in fp32. Weights
 * are rounded on every use, never cached, so an updated weight is always seen: for TinyLlama
 * (1.1B parameters, rounded twice per step, 6 bytes each time) that is 13 GB, ~4 ms at the cast's
 * measured 3.4 TB/s on an H200, 0.6% of a 633 ms step; a cached copy would not pay for its risk.
 * The activation casts cost more (~35 ms of that step, docs/cuda-backend.md); the activations
 * that only feed products (norm and SwiGLU outputs) are therefore stored in bf16 by their
 * producers ({@link CudaBackend#matmulInput}) and read here as they are, forward and backward.
 */
final class CudaLinear {
  private final Workspace ws;
  private final CudaElementwise elementwise;
  private final Bf16Cast bf16;
  private final boolean roundToBf16;
  private final int computeType;

  CudaLinear(Workspace ws, CudaElementwise elementwise, Precision precision) {
    this.ws = ws;
    this.elementwise = elementwise;
    this.bf16 = new Bf16Cast(ws);
    this.roundToBf16 = precision == Precision.BF16;
    UserError.require(!roundToBf16 || ws.ctx.ampereOrNewer,
        "--precision bf16 needs a GPU with bf16 tensor cores (compute capability 8.0 or newer);"
            + " this one is " + ws.ctx.arch + ": use --precision fp32");
    this.computeType = switch (precision) {
      case FP32, BF16 -> Cublas.COMPUTE_32F; // bf16 inputs with fp32 arithmetic and accumulation
      case TF32 -> Cublas.COMPUTE_32F_FAST_TF32;
    };
  }

  void forward(CudaTensor x, CudaTensor w, CudaTensor bias, CudaTensor y) {
    forward(x, new CudaTensor[] {w}, new CudaTensor[] {bias}, new CudaTensor[] {y});
  }

  /** ys[i] = x·ws[i]ᵀ (+ biases[i]), x rounded once for all of them in bf16 mode. */
  void forward(CudaTensor x, CudaTensor[] ws, CudaTensor[] biases, CudaTensor[] ys) {
    int n = x.rows(), in = x.cols();
    if (n == 0) return;
    try (Operands ops = new Operands()) {
      long xIn = ops.of(x);
      for (int i = 0; i < ws.length; i++) {
        int out = ws[i].rows();
        gemm(Cublas.OP_T, Cublas.OP_N, out, n, in, ops.of(ws[i]), in, xIn, in, false,
            ys[i].pointer(), out);
        ops.keepOnly(x); // the weight's copy is free again once its product is queued
      }
    }
    for (int i = 0; i < ws.length; i++) if (biases[i] != null) elementwise.addBias(ys[i], biases[i]);
  }

  void backward(CudaTensor dy, CudaTensor x, CudaTensor w, CudaTensor dx, boolean accumulateDx,
      CudaTensor dw, CudaTensor dBias) {
    backward(new CudaTensor[] {dy}, x, new CudaTensor[] {w}, dx, accumulateDx,
        new CudaTensor[] {dw}, new CudaTensor[] {dBias});
  }

  /**
   * One backward per layer in order (the first overwrites dx unless accumulateDx, the others add),
   * x rounded once for all of them in bf16 mode.
   */
  void backward(CudaTensor[] dys, CudaTensor x, CudaTensor[] ws, CudaTensor dx,
      boolean accumulateDx, CudaTensor[] dws, CudaTensor[] dBiases) {
    int n = x.rows(), in = x.cols();
    if (n == 0) return;
    try (Operands ops = new Operands()) {
      boolean anyDw = false;
      for (CudaTensor dw : dws) anyDw |= dw != null;
      long xIn = anyDw ? ops.of(x) : 0;
      for (int i = 0; i < ws.length; i++) {
        int out = ws[i].rows();
        long dyIn = dx != null || dws[i] != null ? ops.of(dys[i]) : 0;
        if (dx != null) {
          gemm(Cublas.OP_N, Cublas.OP_N, in, n, out, ops.of(ws[i]), in, dyIn, out,
              i > 0 || accumulateDx, dx.pointer(), in);
        }
        if (dws[i] != null) {
          gemm(Cublas.OP_N, Cublas.OP_T, in, out, n, xIn, in, dyIn, out, true, dws[i].pointer(),
              in);
        }
        ops.keepOnly(x);
      }
    }
    for (int i = 0; i < ws.length; i++) {
      if (dBiases[i] != null) elementwise.addColumnSums(dys[i], dBiases[i]);
    }
  }

  private void gemm(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb,
      boolean accumulate, long c, int ldc) {
    int abType = roundToBf16 ? Cublas.R_16BF : Cublas.R_32F;
    ws.ctx.cublas.gemm(transA, transB, m, n, k, a, lda, b, ldb, abType, accumulate, c, ldc,
        computeType);
  }

  /**
   * The device pointers the products read: the tensors themselves, or in bf16 mode rounded
   * copies, returned to the allocator when dropped or on close (safe once the products are
   * queued: the stream runs them before any later work can reuse the memory).
   */
  private final class Operands implements AutoCloseable {
    private final IdentityHashMap<CudaTensor, Workspace.Scratch> copies = new IdentityHashMap<>();

    long of(CudaTensor t) {
      if (t.isBf16()) { // a bf16 activation (matmulInput) is read as it is: nothing to round
        if (!roundToBf16) throw new IllegalStateException("bf16 " + t + " outside bf16 mode");
        return t.pointer();
      }
      if (!roundToBf16) return t.pointer();
      Workspace.Scratch s = copies.get(t);
      if (s == null) {
        s = bf16.copyOf(t);
        copies.put(t, s);
      }
      return s.pointer;
    }

    /** Frees every copy but t's (the products that read them are queued). */
    void keepOnly(CudaTensor t) {
      Workspace.Scratch kept = copies.remove(t);
      close();
      if (kept != null) copies.put(t, kept);
    }

    @Override
    public void close() {
      for (Workspace.Scratch s : copies.values()) s.close();
      copies.clear();
    }
  }
}
