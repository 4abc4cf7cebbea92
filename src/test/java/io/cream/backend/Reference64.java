package io.cream.backend;

/**
 * Slow, obviously-correct float64 references of the backend ops (attention lives in
 * {@link ReferenceAttention64}). Plain loops straight from the formulas, row-major arrays, no
 * tiling, no parallelism; every backward is checked against finite differences of its forward in
 * Reference64Test.
 */
public final class Reference64 {
  private Reference64() {}

  // ---- embedding ----

  public static double[] embedding(double[] table, int cols, int[] ids) {
    double[] out = new double[ids.length * cols];
    for (int r = 0; r < ids.length; r++) {
      for (int c = 0; c < cols; c++) out[r * cols + c] = table[ids[r] * cols + c];
    }
    return out;
  }

  /** The gradient of the table (vocab × cols) given dOut. */
  public static double[] embeddingBackward(double[] dOut, int cols, int[] ids, int vocab) {
    double[] dTable = new double[vocab * cols];
    for (int r = 0; r < ids.length; r++) {
      for (int c = 0; c < cols; c++) dTable[ids[r] * cols + c] += dOut[r * cols + c];
    }
    return dTable;
  }

  // ---- RMSNorm ----

  public static double[] rmsNorm(double[] x, int cols, double[] w, double eps) {
    int rows = x.length / cols;
    double[] y = new double[x.length];
    for (int r = 0; r < rows; r++) {
      double rstd = rstd(x, r, cols, eps);
      for (int c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] * rstd * w[c];
    }
    return y;
  }

  /** 1 / √(mean of row r's squares + eps). */
  public static double rstd(double[] x, int r, int cols, double eps) {
    double ss = 0;
    for (int c = 0; c < cols; c++) ss += x[r * cols + c] * x[r * cols + c];
    return 1.0 / Math.sqrt(ss / cols + eps);
  }

  /** dx and dw of L given dy, by the chain rule through y = x·rstd(x)·w. */
  public static double[][] rmsNormBackward(double[] dy, double[] x, int cols, double[] w,
      double eps) {
    int rows = x.length / cols;
    double[] dx = new double[x.length];
    double[] dw = new double[cols];
    for (int r = 0; r < rows; r++) {
      double s = rstd(x, r, cols, eps);
      // d rstd / d x_j = −rstd³ · x_j / cols; L depends on rstd through Σ_c dy_c·x_c·w_c.
      double through = 0;
      for (int c = 0; c < cols; c++) through += dy[r * cols + c] * x[r * cols + c] * w[c];
      for (int j = 0; j < cols; j++) {
        int i = r * cols + j;
        dx[i] = dy[i] * w[j] * s - through * s * s * s * x[i] / cols;
        dw[j] += dy[i] * x[i] * s;
      }
    }
    return new double[][] {dx, dw};
  }

  // ---- linear ----

  /** y = x·wᵀ + bias; x [n × in], w [out × in], bias [out] or null. */
  public static double[] linear(double[] x, int in, double[] w, int out, double[] bias) {
    int n = x.length / in;
    double[] y = new double[n * out];
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        double s = bias == null ? 0 : bias[o];
        for (int i = 0; i < in; i++) s += x[r * in + i] * w[o * in + i];
        y[r * out + o] = s;
      }
    }
    return y;
  }

  /** {dx, dw, dBias}. */
  public static double[][] linearBackward(double[] dy, double[] x, int in, double[] w, int out) {
    int n = x.length / in;
    double[] dx = new double[x.length];
    double[] dw = new double[w.length];
    double[] db = new double[out];
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        double g = dy[r * out + o];
        db[o] += g;
        for (int i = 0; i < in; i++) {
          dx[r * in + i] += g * w[o * in + i];
          dw[o * in + i] += g * x[r * in + i];
        }
      }
    }
    return new double[][] {dx, dw, db};
  }

  // ---- RoPE ----

  /** cos and sin tables [positions.length × headDim/2] of angle position·invFreq[i]. */
  public static double[][] ropeTables(long[] positions, double[] invFreq) {
    int half = invFreq.length;
    double[] cos = new double[positions.length * half];
    double[] sin = new double[positions.length * half];
    for (int r = 0; r < positions.length; r++) {
      for (int i = 0; i < half; i++) {
        double angle = positions[r] * invFreq[i];
        cos[r * half + i] = Math.cos(angle);
        sin[r * half + i] = Math.sin(angle);
      }
    }
    return new double[][] {cos, sin};
  }

  /** Rotate-half RoPE of x [rows × heads·headDim]; sign −1 gives the transpose (backward). */
  public static double[] rope(double[] x, int cols, int headDim, double[] cos, double[] sin,
      double sign) {
    int rows = x.length / cols;
    int half = headDim / 2;
    double[] y = x.clone();
    for (int r = 0; r < rows; r++) {
      for (int h = 0; h < cols / headDim; h++) {
        for (int i = 0; i < half; i++) {
          int a = r * cols + h * headDim + i;
          int b = a + half;
          double c = cos[r * half + i];
          double s = sign * sin[r * half + i];
          y[a] = x[a] * c - x[b] * s;
          y[b] = x[b] * c + x[a] * s;
        }
      }
    }
    return y;
  }

  // ---- SwiGLU ----

  public static double sigmoid(double x) {
    return 1.0 / (1.0 + Math.exp(-x));
  }

  public static double[] swiglu(double[] gate, double[] up) {
    double[] out = new double[gate.length];
    for (int i = 0; i < gate.length; i++) out[i] = gate[i] * sigmoid(gate[i]) * up[i];
    return out;
  }

  /** {dGate, dUp}. */
  public static double[][] swigluBackward(double[] dOut, double[] gate, double[] up) {
    double[] dg = new double[gate.length];
    double[] du = new double[gate.length];
    for (int i = 0; i < gate.length; i++) {
      double s = sigmoid(gate[i]);
      double dsilu = s + gate[i] * s * (1 - s); // d/dg of g·σ(g)
      dg[i] = dOut[i] * up[i] * dsilu;
      du[i] = dOut[i] * gate[i] * s;
    }
    return new double[][] {dg, du};
  }

  // ---- logits ----

  /** log Σ_j exp(row_j) of row r, with the max subtracted for stability. */
  public static double logSumExp(double[] logits, int r, int vocab) {
    double m = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < vocab; j++) m = Math.max(m, logits[r * vocab + j]);
    double s = 0;
    for (int j = 0; j < vocab; j++) s += Math.exp(logits[r * vocab + j] - m);
    return m + Math.log(s);
  }

  /** Σ over counted rows of −log softmax(row)[target]. */
  public static double crossEntropy(double[] logits, int vocab, int[] targets) {
    double loss = 0;
    for (int r = 0; r < targets.length; r++) {
      if (targets[r] < 0) continue;
      loss += logSumExp(logits, r, vocab) - logits[r * vocab + targets[r]];
    }
    return loss;
  }

  /** d(gradScale · crossEntropy)/d logits = (softmax − onehot)·gradScale, zero on ignored rows. */
  public static double[] crossEntropyBackward(double[] logits, int vocab, int[] targets,
      double gradScale) {
    double[] g = new double[logits.length];
    for (int r = 0; r < targets.length; r++) {
      if (targets[r] < 0) continue;
      double lse = logSumExp(logits, r, vocab);
      for (int j = 0; j < vocab; j++) {
        double p = Math.exp(logits[r * vocab + j] - lse);
        g[r * vocab + j] = (p - (j == targets[r] ? 1 : 0)) * gradScale;
      }
    }
    return g;
  }

  public static double[] targetLogProbs(double[] logits, int vocab, int[] targets) {
    double[] out = new double[targets.length];
    for (int r = 0; r < targets.length; r++) {
      if (targets[r] >= 0) out[r] = logits[r * vocab + targets[r]] - logSumExp(logits, r, vocab);
    }
    return out;
  }

  // ---- AdamW ----

  /** One AdamW step in double, as in PyTorch's torch.optim.AdamW; updates p, m, v in place. */
  public static void adamW(double[] p, double[] g, double[] m, double[] v, double lr,
      double beta1, double beta2, double eps, double weightDecay, long t) {
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    for (int i = 0; i < p.length; i++) {
      p[i] -= lr * weightDecay * p[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      p[i] -= lr * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + eps);
    }
  }
}
