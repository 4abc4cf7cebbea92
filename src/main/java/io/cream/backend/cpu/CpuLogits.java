package io.cream.backend.cpu;

import io.cream.backend.CrossEntropyLoss;
import io.cream.util.Parallel;

/**
 * Ops over vocabulary rows of logits: fused softmax cross-entropy with its gradient, target
 * log-probabilities, argmax. Each row is one task; per-row results are combined in row order, in
 * double, so results do not depend on the thread count.
 */
final class CpuLogits {
  private CpuLogits() {}

  static CrossEntropyLoss crossEntropy(CpuTensor logits, int[] targets, CpuTensor dLogits,
      float gradScale) {
    int v = logits.cols();
    float[] x = logits.array();
    int xo = logits.offset();
    float[] g = dLogits == null ? null : dLogits.array();
    int go = dLogits == null ? 0 : dLogits.offset();
    double[] loss = new double[targets.length];
    Parallel.forRange(targets.length, 4, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int xi = xo + r * v, gi = go + r * v;
        int t = targets[r];
        if (t < 0) {
          if (g != null) java.util.Arrays.fill(g, gi, gi + v, 0f);
          continue;
        }
        float target = x[xi + t]; // read before an in-place gradient overwrites it
        float max = Vec.max(x, xi, v);
        // One pass of exponentials, written straight into the gradient row when there is one.
        double sum = Vec.expShifted(x, xi, g, gi, v, max);
        loss[r] = max + Math.log(sum) - target;
        if (g != null) {
          Vec.scale(g, gi, v, (float) (gradScale / sum));
          g[gi + t] -= gradScale;
        }
      }
    });
    double total = 0;
    long count = 0;
    for (int r = 0; r < targets.length; r++) {
      if (targets[r] >= 0) {
        total += loss[r];
        count++;
      }
    }
    return new CrossEntropyLoss(total, count);
  }

  static double[] targetLogProbs(CpuTensor logits, int[] targets) {
    int v = logits.cols();
    float[] x = logits.array();
    int xo = logits.offset();
    double[] out = new double[targets.length];
    Parallel.forRange(targets.length, 4, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int t = targets[r];
        if (t < 0) continue;
        int xi = xo + r * v;
        float max = Vec.max(x, xi, v);
        out[r] = x[xi + t] - max - Math.log(Vec.expShifted(x, xi, null, 0, v, max));
      }
    });
    return out;
  }

  static int[] argmax(CpuTensor logits) {
    int v = logits.cols();
    float[] x = logits.array();
    int xo = logits.offset();
    int[] out = new int[logits.rows()];
    Parallel.forRange(out.length, 16, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        int xi = xo + r * v;
        int best = 0;
        float bestValue = x[xi];
        for (int j = 1; j < v; j++) {
          // Strict > keeps the first of equal maxima; a NaN first element yields to any number.
          if (x[xi + j] > bestValue || (Float.isNaN(bestValue) && !Float.isNaN(x[xi + j]))) {
            best = j;
            bestValue = x[xi + j];
          }
        }
        out[r] = best;
      }
    });
    return out;
  }
}
