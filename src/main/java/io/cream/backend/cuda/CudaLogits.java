package io.cream.backend.cuda;

import io.cream.backend.CrossEntropyLoss;

/**
 * Ops over vocabulary rows (kernels in logits.cu), one block per row: the fused cross-entropy
 * (loss and gradient from one softmax, in place when asked), target log-probabilities and
 * argmax. Per-row results come back to the host and are summed in row order, in double.
 */
final class CudaLogits {
  private static final int THREADS = 512;

  private final Workspace ws;

  CudaLogits(Workspace ws) {
    this.ws = ws;
  }

  CrossEntropyLoss crossEntropy(CudaTensor logits, int[] targets, CudaTensor dLogits,
      float gradScale) {
    int rows = targets.length;
    if (rows == 0) return new CrossEntropyLoss(0, 0);
    double[] perRow;
    try (Workspace.Scratch t = ws.upload(targets);
        Workspace.Scratch loss = ws.scratch(rows * Workspace.DOUBLE)) {
      ws.kernel("logits", "cross_entropy_rows").call().grid(rows).block(THREADS)
          .ptr(logits.pointer()).ptr(t.pointer).ptr(dLogits == null ? 0L : dLogits.pointer())
          .ptr(loss.pointer).i32(logits.cols()).f32(gradScale).launch();
      perRow = ws.downloadDoubles(loss.pointer, rows);
    }
    double sum = 0;
    long count = 0;
    for (int r = 0; r < rows; r++) {
      if (targets[r] >= 0) {
        sum += perRow[r];
        count++;
      }
    }
    return new CrossEntropyLoss(sum, count);
  }

  double[] targetLogProbs(CudaTensor logits, int[] targets) {
    int rows = targets.length;
    if (rows == 0) return new double[0];
    try (Workspace.Scratch t = ws.upload(targets);
        Workspace.Scratch out = ws.scratch(rows * Workspace.DOUBLE)) {
      ws.kernel("logits", "target_logprob_rows").call().grid(rows).block(THREADS)
          .ptr(logits.pointer()).ptr(t.pointer).ptr(out.pointer).i32(logits.cols()).launch();
      return ws.downloadDoubles(out.pointer, rows);
    }
  }

  int[] argmax(CudaTensor logits) {
    int rows = logits.rows();
    if (rows == 0) return new int[0];
    try (Workspace.Scratch out = ws.scratch(rows * Workspace.INT)) {
      ws.kernel("logits", "argmax_rows").call().grid(rows).block(THREADS)
          .ptr(logits.pointer()).ptr(out.pointer).i32(logits.cols()).launch();
      return ws.downloadInts(out.pointer, rows);
    }
  }
}
