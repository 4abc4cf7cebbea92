package io.cream.backend.cuda;

/**
 * Whole-tensor ops on the device: fill and copy (driver calls), residual add, scale, SwiGLU,
 * the bias of a linear layer, and the deterministic reductions (sum of squares, column
 * sums) in double.
 */
final class CudaElementwise {
  /** Upper bound on first-pass blocks of the sum of squares (partials summed by one block). */
  private static final int MAX_PARTIALS = 1024;
  /** Rows per chunk of the column sums' first pass is chosen so there are at most this many. */
  private static final int MAX_ROW_CHUNKS = 256;

  private final Workspace ws;

  CudaElementwise(Workspace ws) {
    this.ws = ws;
  }

  void fill(CudaTensor t, float value) {
    if (t.size() == 0) return;
    ws.ctx.driver.fill32(t.pointer(), Float.floatToRawIntBits(value), t.size(), ws.ctx.stream);
  }

  void copy(CudaTensor src, CudaTensor dst) {
    if (src.size() == 0) return;
    ws.ctx.driver.copyDeviceToDevice(dst.pointer(), src.pointer(), src.bytes(), ws.ctx.stream);
  }

  void add(CudaTensor a, CudaTensor b) {
    long n = a.size();
    if (n == 0) return;
    ws.kernel("elementwise", "add_f32").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(a.pointer()).ptr(b.pointer()).i64(n).launch();
  }

  void scale(CudaTensor t, float factor) {
    long n = t.size();
    if (n == 0) return;
    ws.kernel("elementwise", "scale_f32").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(t.pointer()).i64(n).f32(factor).launch();
  }

  void addBias(CudaTensor out, CudaTensor bias) {
    long n = out.size();
    if (n == 0) return;
    ws.kernel("elementwise", "add_bias_f32").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(out.pointer()).ptr(bias.pointer()).i64(n).i32(out.cols()).launch();
  }

  void swiglu(CudaTensor gate, CudaTensor up, CudaTensor out) {
    long n = gate.size();
    if (n == 0) return;
    ws.kernel("elementwise", out.isBf16() ? "swiglu_fwd_bf16" : "swiglu_fwd").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(gate.pointer()).ptr(up.pointer()).ptr(out.pointer()).i64(n).launch();
  }

  void swigluBackward(CudaTensor dOut, CudaTensor gate, CudaTensor up, CudaTensor dGate,
      CudaTensor dUp) {
    long n = gate.size();
    if (n == 0) return;
    if (dGate.isBf16() != dUp.isBf16()) {
      throw new IllegalArgumentException("swigluBackward: dGate and dUp must both be bf16 or both"
          + " float32, got " + dGate + " and " + dUp);
    }
    String kernel = dGate.isBf16() ? "swiglu_bwd_bf16" : "swiglu_bwd";
    ws.kernel("elementwise", kernel).call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(dOut.pointer()).ptr(gate.pointer()).ptr(up.pointer()).ptr(dGate.pointer())
        .ptr(dUp.pointer()).i64(n).launch();
  }

  /** Σ t² in double; the grid depends only on the size, so the result is reproducible. */
  double sumOfSquares(CudaTensor t) {
    long n = t.size();
    if (n == 0) return 0;
    int partials = (int) Math.min(MAX_PARTIALS, (n + 4L * Workspace.THREADS - 1)
        / (4L * Workspace.THREADS));
    try (Workspace.Scratch part = ws.scratch(partials * Workspace.DOUBLE);
        Workspace.Scratch total = ws.scratch(Workspace.DOUBLE)) {
      ws.kernel("reduce", "sumsq_partial").call().grid(partials).block(Workspace.THREADS)
          .ptr(t.pointer()).i64(n).ptr(part.pointer).launch();
      ws.kernel("reduce", "sum_partials").call().grid(1).block(1024)
          .ptr(part.pointer).i32(partials).ptr(total.pointer).launch();
      return ws.downloadDoubles(total.pointer, 1)[0];
    }
  }

  /** dst[0][c] += Σ_r src[r][c], in double (the bias gradient). */
  void addColumnSums(CudaTensor src, CudaTensor dst) {
    int rows = src.rows(), cols = src.cols();
    if (rows == 0) return;
    int chunks = Math.min(MAX_ROW_CHUNKS, Workspace.ceilDiv(rows, 64));
    int perChunk = Workspace.ceilDiv(rows, chunks);
    chunks = Workspace.ceilDiv(rows, perChunk);
    try (Workspace.Scratch part = ws.scratch((long) chunks * cols * Workspace.DOUBLE)) {
      int colBlocks = Workspace.ceilDiv(cols, Workspace.THREADS);
      ws.kernel("reduce", "colsum_partial").call().grid(colBlocks, chunks, 1)
          .block(Workspace.THREADS).ptr(src.pointer()).i32(rows).i32(cols).i32(perChunk)
          .ptr(part.pointer).launch();
      finishColumnSums(part.pointer, chunks, cols, dst);
    }
  }

  /** dst[c] += Σ_chunk partial[chunk][c]. */
  void finishColumnSums(long partial, int chunks, int cols, CudaTensor dst) {
    ws.kernel("reduce", "colsum_finish").call().grid(Workspace.ceilDiv(cols, Workspace.THREADS))
        .block(Workspace.THREADS).ptr(partial).i32(chunks).i32(cols).ptr(dst.pointer()).launch();
  }
}
