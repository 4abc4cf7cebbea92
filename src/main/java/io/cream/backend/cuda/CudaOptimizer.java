package io.cream.backend.cuda;

import io.cream.backend.AdamWConfig;
import java.util.List;

/**
 * The optimizer step on the device: AdamW on one tensor, and over all parameters at once with
 * global-norm clipping folded in (optimizer.cu). The multi-tensor step queues three kernels and
 * waits once, at the end: the squared norm of all gradients (one pass, partial sums in a fixed
 * order), then AdamW reading that norm from device memory and scaling each gradient as it loads
 * it. Against the per-tensor path (a sum and a download per gradient, a scale pass, an AdamW
 * launch per tensor) this saves the scale pass's 2 × 4 bytes per parameter and ~600 launches and
 * host round trips per step.
 */
final class CudaOptimizer {
  /** Elements per chunk of the multi-tensor kernels (MT_CHUNK in optimizer.cu). */
  static final int CHUNK = 16_384;
  /** 64-bit words per tensor in the table (MT_TABLE_COLS in optimizer.cu). */
  private static final int TABLE_COLS = 6;
  /** First-pass blocks of the global sum of squares, at most: a size-only grid, reproducible. */
  private static final int MAX_PARTIALS = 1024;

  private final Workspace ws;

  CudaOptimizer(Workspace ws) {
    this.ws = ws;
  }

  /** The CPU backend's formula; bias corrections computed in double on the host. */
  void adamW(CudaTensor p, CudaTensor g, CudaTensor m, CudaTensor v, AdamWConfig cfg, long t) {
    long n = p.size();
    if (n == 0) return;
    AdamWConfig.Step s = cfg.step(t);
    ws.kernel("optimizer", "adamw_f32").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(p.pointer()).ptr(g.pointer()).ptr(m.pointer()).ptr(v.pointer()).i64(n)
        .f32(cfg.beta1()).f32(cfg.beta2()).f32(cfg.eps()).f32(s.decay()).f32(s.stepSize())
        .f32(s.invSqrtBc2()).launch();
  }

  /** Σ over all tensors of Σ t², in double, with one wait. */
  double sumOfSquares(List<CudaTensor> tensors) {
    Table table = table(tensors, tensors, tensors, tensors);
    if (table.chunks == 0) return 0;
    try (Workspace.Scratch rows = ws.upload(table.words);
        Workspace.Scratch total = ws.scratch(Workspace.DOUBLE)) {
      queueSumOfSquares(rows.pointer, table, total.pointer);
      return ws.downloadDoubles(total.pointer, 1)[0];
    }
  }

  /**
   * Clipping by the global norm and AdamW on every parameter; returns the norm before clipping
   * (the only wait). A non-finite norm leaves everything unchanged.
   */
  double clipAndAdamW(List<CudaTensor> params, List<CudaTensor> grads, List<CudaTensor> m,
      List<CudaTensor> v, AdamWConfig cfg, long t, double maxNorm) {
    Table table = table(params, grads, m, v);
    if (table.chunks == 0) return 0;
    AdamWConfig.Step s = cfg.step(t);
    try (Workspace.Scratch rows = ws.upload(table.words);
        Workspace.Scratch sumsq = ws.scratch(Workspace.DOUBLE)) {
      queueSumOfSquares(rows.pointer, table, sumsq.pointer);
      int blocks = (int) Math.min(table.chunks, 8L * ws.ctx.multiprocessors);
      ws.kernel("optimizer", "adamw_clip_multi").call().grid(blocks).block(Workspace.THREADS)
          .ptr(rows.pointer).i32(table.count).ptr(sumsq.pointer).f64(maxNorm).f32(cfg.beta1())
          .f32(cfg.beta2()).f32(cfg.eps()).f32(s.decay()).f32(s.stepSize()).f32(s.invSqrtBc2())
          .launch();
      return Math.sqrt(ws.downloadDoubles(sumsq.pointer, 1)[0]);
    }
  }

  private void queueSumOfSquares(long rows, Table table, long out) {
    int partials = (int) Math.min(MAX_PARTIALS, table.chunks);
    try (Workspace.Scratch part = ws.scratch(partials * Workspace.DOUBLE)) {
      ws.kernel("optimizer", "sumsq_multi").call().grid(partials).block(Workspace.THREADS)
          .ptr(rows).i32(table.count).ptr(part.pointer).launch();
      ws.kernel("reduce", "sum_partials").call().grid(1).block(1024).ptr(part.pointer)
          .i32(partials).ptr(out).launch();
    }
  }

  /** The tensor table of optimizer.cu (empty tensors take no chunk). */
  private record Table(long[] words, int count, long chunks) {}

  private static Table table(List<CudaTensor> p, List<CudaTensor> g, List<CudaTensor> m,
      List<CudaTensor> v) {
    int count = p.size();
    long[] words = new long[count * TABLE_COLS + 1];
    long chunks = 0;
    for (int i = 0; i < count; i++) {
      int at = i * TABLE_COLS;
      long n = p.get(i).size();
      words[at] = p.get(i).pointer();
      words[at + 1] = g.get(i).pointer();
      words[at + 2] = m.get(i).pointer();
      words[at + 3] = v.get(i).pointer();
      words[at + 4] = n;
      words[at + 5] = chunks;
      chunks += (n + CHUNK - 1) / CHUNK;
    }
    words[count * TABLE_COLS] = chunks;
    return new Table(words, count, chunks);
  }
}
