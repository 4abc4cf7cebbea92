package io.cream.backend;

/**
 * Float64 reference of causal grouped-query attention: for every (sequence, head, query) the full
 * softmax over its visible keys, computed in one piece (no tiles, no online rescaling). Layouts
 * as in {@link AttentionShape}.
 */
public final class ReferenceAttention64 {
  private ReferenceAttention64() {}

  /** The attention output and the per-(row, head) log-sum-exp of the scaled scores. */
  public record Result(double[] out, double[] lse) {}

  /** The gradients of q, k and v. */
  public record Grads(double[] dq, double[] dk, double[] dv) {}

  public static Result forward(AttentionShape s, double[] q, double[] k, double[] v) {
    double[] out = new double[s.queryRows() * s.queryCols()];
    double[] lse = new double[s.queryRows() * s.heads()];
    int d = s.headDim();
    for (int b = 0; b < s.batch(); b++) {
      for (int h = 0; h < s.heads(); h++) {
        for (int i = 0; i < s.queryLen(); i++) {
          double[] p = probabilities(s, q, k, b, h, i);
          int row = b * s.queryLen() + i;
          lse[row * s.heads() + h] = p[p.length - 1];
          for (int j = 0; j < p.length - 1; j++) {
            int kv = kvIndex(s, b, j, h);
            for (int c = 0; c < d; c++) out[row * s.queryCols() + h * d + c] += p[j] * v[kv + c];
          }
        }
      }
    }
    return new Result(out, lse);
  }

  /**
   * Gradients from dOut by the textbook chain rule: dV_j += p_j·dO, dP_j = dO·v_j,
   * dS_j = p_j·(dP_j − Σ_l p_l·dP_l), dQ += scale·Σ_j dS_j·k_j, dK_j += scale·dS_j·q.
   */
  public static Grads backward(AttentionShape s, double[] q, double[] k, double[] v,
      double[] dOut) {
    double[] dq = new double[q.length];
    double[] dk = new double[k.length];
    double[] dv = new double[v.length];
    int d = s.headDim();
    double scale = s.scale();
    for (int b = 0; b < s.batch(); b++) {
      for (int h = 0; h < s.heads(); h++) {
        for (int i = 0; i < s.queryLen(); i++) {
          double[] p = probabilities(s, q, k, b, h, i);
          int visible = p.length - 1;
          int qi = (b * s.queryLen() + i) * s.queryCols() + h * d;
          double[] dp = new double[visible];
          double pdp = 0;
          for (int j = 0; j < visible; j++) {
            int kv = kvIndex(s, b, j, h);
            for (int c = 0; c < d; c++) {
              dv[kv + c] += p[j] * dOut[qi + c];
              dp[j] += dOut[qi + c] * v[kv + c];
            }
            pdp += p[j] * dp[j];
          }
          for (int j = 0; j < visible; j++) {
            int kv = kvIndex(s, b, j, h);
            double ds = p[j] * (dp[j] - pdp) * scale;
            for (int c = 0; c < d; c++) {
              dq[qi + c] += ds * k[kv + c];
              dk[kv + c] += ds * q[qi + c];
            }
          }
        }
      }
    }
    return new Grads(dq, dk, dv);
  }

  /** Softmax over the keys query i sees, with the log-sum-exp appended as the last element. */
  private static double[] probabilities(AttentionShape s, double[] q, double[] k, int b, int h,
      int i) {
    int d = s.headDim();
    int visible = i + s.causalOffset() + 1;
    int qi = (b * s.queryLen() + i) * s.queryCols() + h * d;
    double[] p = new double[visible + 1];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < visible; j++) {
      int kv = kvIndex(s, b, j, h);
      double dot = 0;
      for (int c = 0; c < d; c++) dot += q[qi + c] * k[kv + c];
      p[j] = dot * s.scale();
      max = Math.max(max, p[j]);
    }
    double sum = 0;
    for (int j = 0; j < visible; j++) sum += Math.exp(p[j] - max);
    double lse = max + Math.log(sum);
    for (int j = 0; j < visible; j++) p[j] = Math.exp(p[j] - lse);
    p[visible] = lse;
    return p;
  }

  /** Start of key/value row j of sequence b for query head h. */
  private static int kvIndex(AttentionShape s, int b, int j, int h) {
    return (b * s.kvStride() + j) * s.kvCols() + (h / s.groupSize()) * s.headDim();
  }
}
