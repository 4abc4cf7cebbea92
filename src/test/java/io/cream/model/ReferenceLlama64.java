package io.cream.model;

import io.cream.rope.RopeScaling;
import java.util.Map;

/**
 * A slow, obviously-correct float64 forward of a Llama decoder (test scope): every op written as
 * plain loops straight from its definition, full T×T attention. Used to check the real model's
 * forward (loss, log-probs) and, through finite differences, its backward.
 */
final class ReferenceLlama64 {
  private final LlamaConfig c;
  private final Map<String, double[]> w;
  private final RopeScaling rope;

  ReferenceLlama64(LlamaConfig c, Map<String, double[]> weights, RopeScaling rope) {
    this.c = c;
    this.w = weights;
    this.rope = rope;
  }

  /** Summed cross-entropy over targets ≥ 0 of a batch (sequences of seqLen rows each). */
  double loss(int batch, int seqLen, int[] tokens, int[] positions, int[] targets) {
    double[][] logits = logits(batch, seqLen, tokens, positions);
    double sum = 0;
    for (int r = 0; r < tokens.length; r++) {
      if (targets[r] < 0) continue;
      sum -= logSoftmax(logits[r])[targets[r]];
    }
    return sum;
  }

  /** log p(next token) rows for one sequence at positions 0..n-1. */
  double[] logSoftmax(double[] row) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : row) max = Math.max(max, v);
    double s = 0;
    for (double v : row) s += Math.exp(v - max);
    double lse = max + Math.log(s);
    double[] out = new double[row.length];
    for (int i = 0; i < row.length; i++) out[i] = row[i] - lse;
    return out;
  }

  double[][] logits(int batch, int seqLen, int[] tokens, int[] positions) {
    int n = tokens.length, hidden = c.hiddenSize(), d = c.headDim();
    int heads = c.numAttentionHeads(), kvHeads = c.numKeyValueHeads();
    double[][] x = new double[n][];
    double[] embed = w.get(ParamLayout.EMBED);
    for (int r = 0; r < n; r++) {
      x[r] = new double[hidden];
      System.arraycopy(embed, tokens[r] * hidden, x[r], 0, hidden);
    }
    int maxPos = 0;
    for (int p : positions) maxPos = Math.max(maxPos, p);
    double[] invFreq = rope.invFreq(maxPos + 1);
    double af = rope.attentionFactor(maxPos + 1);
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = ParamLayout.layerPrefix(l);
      double[][] n1 = rmsNorm(x, w.get(p + "input_layernorm.weight"));
      double[][] q = linear(n1, w.get(p + "self_attn.q_proj.weight"), w.get(p + "self_attn.q_proj.bias"), heads * d);
      double[][] k = linear(n1, w.get(p + "self_attn.k_proj.weight"), w.get(p + "self_attn.k_proj.bias"), kvHeads * d);
      double[][] v = linear(n1, w.get(p + "self_attn.v_proj.weight"), w.get(p + "self_attn.v_proj.bias"), kvHeads * d);
      for (int r = 0; r < n; r++) {
        rotate(q[r], heads, d, positions[r], invFreq, af);
        rotate(k[r], kvHeads, d, positions[r], invFreq, af);
      }
      double[][] att = new double[n][heads * d];
      for (int b = 0; b < batch; b++) {
        for (int h = 0; h < heads; h++) {
          int kh = h / (heads / kvHeads);
          for (int i = 0; i < seqLen; i++) {
            int qi = b * seqLen + i;
            double[] s = new double[i + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
              double dot = 0;
              for (int e = 0; e < d; e++) dot += q[qi][h * d + e] * k[b * seqLen + j][kh * d + e];
              s[j] = dot / Math.sqrt(d);
              max = Math.max(max, s[j]);
            }
            double z = 0;
            for (int j = 0; j <= i; j++) z += s[j] = Math.exp(s[j] - max);
            for (int j = 0; j <= i; j++) {
              for (int e = 0; e < d; e++) att[qi][h * d + e] += s[j] / z * v[b * seqLen + j][kh * d + e];
            }
          }
        }
      }
      double[][] o = linear(att, w.get(p + "self_attn.o_proj.weight"), null, hidden);
      for (int r = 0; r < n; r++) for (int e = 0; e < hidden; e++) x[r][e] += o[r][e];
      double[][] n2 = rmsNorm(x, w.get(p + "post_attention_layernorm.weight"));
      double[][] gate = linear(n2, w.get(p + "mlp.gate_proj.weight"), null, c.intermediateSize());
      double[][] up = linear(n2, w.get(p + "mlp.up_proj.weight"), null, c.intermediateSize());
      for (int r = 0; r < n; r++) {
        for (int e = 0; e < gate[r].length; e++) {
          double g = gate[r][e];
          gate[r][e] = g / (1 + Math.exp(-g)) * up[r][e];
        }
      }
      double[][] down = linear(gate, w.get(p + "mlp.down_proj.weight"), null, hidden);
      for (int r = 0; r < n; r++) for (int e = 0; e < hidden; e++) x[r][e] += down[r][e];
    }
    double[][] nf = rmsNorm(x, w.get(ParamLayout.FINAL_NORM));
    double[] head = c.tieWordEmbeddings() ? embed : w.get(ParamLayout.LM_HEAD);
    return linear(nf, head, null, c.vocabSize());
  }

  private double[][] rmsNorm(double[][] x, double[] weight) {
    double[][] out = new double[x.length][];
    for (int r = 0; r < x.length; r++) {
      double ss = 0;
      for (double v : x[r]) ss += v * v;
      double inv = 1 / Math.sqrt(ss / x[r].length + c.rmsNormEps());
      out[r] = new double[x[r].length];
      for (int e = 0; e < x[r].length; e++) out[r][e] = x[r][e] * inv * weight[e];
    }
    return out;
  }

  /** y = x·Wᵀ + bias with W [out × in] row-major. */
  private static double[][] linear(double[][] x, double[] wt, double[] bias, int out) {
    double[][] y = new double[x.length][out];
    int in = x[0].length;
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = bias == null ? 0 : bias[o];
        for (int i = 0; i < in; i++) s += x[r][i] * wt[o * in + i];
        y[r][o] = s;
      }
    }
    return y;
  }

  private static void rotate(double[] v, int heads, int d, int pos, double[] invFreq, double af) {
    int half = d / 2;
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        double a = pos * invFreq[i];
        double cos = Math.cos(a) * af, sin = Math.sin(a) * af;
        double x0 = v[h * d + i], x1 = v[h * d + i + half];
        v[h * d + i] = x0 * cos - x1 * sin;
        v[h * d + i + half] = x1 * cos + x0 * sin;
      }
    }
  }
}
