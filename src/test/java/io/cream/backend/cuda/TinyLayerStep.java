package io.cream.backend.cuda;

import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import io.cream.backend.TestData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * One training step of a one-layer Llama-shaped model written with Backend ops only (embedding,
 * pre-norm GQA attention with RoPE at CREAM-like positions, SwiGLU MLP, final norm, LM head,
 * cross-entropy, the whole backward, global-norm clipping and AdamW), so that two backends can be
 * compared on a composition of ops: views, accumulating gradients, in-place loss gradient and
 * residual streams included. Inputs and weights come from a seed, identical for every backend.
 */
final class TinyLayerStep {
  static final int VOCAB = 512, C = 256, HEADS = 4, KV = 2, D = 64, FFN = 704, BATCH = 2, T = 160;
  private static final int N = BATCH * T;

  /**
   * The loss before the step, the gradient norm, each parameter before the step, each gradient
   * (before clipping) and each parameter after the step.
   */
  record Result(CrossEntropyLoss loss, double gradNorm, Map<String, float[]> initial,
      Map<String, float[]> grads, Map<String, float[]> params) {}

  private final Backend be;
  private final Random rnd;
  private final Map<String, Tensor> params = new LinkedHashMap<>();
  private final Map<String, Tensor> grads = new LinkedHashMap<>();
  private final Map<String, float[]> initial = new LinkedHashMap<>();

  private TinyLayerStep(Backend be, long seed) {
    this.be = be;
    this.rnd = new Random(seed);
  }

  static Result run(Backend be, long seed) {
    return new TinyLayerStep(be, seed).step();
  }

  private Tensor param(String name, int rows, int cols, double std, double mean) {
    double[] v = TestData.gaussian(rnd.nextLong(), rows * cols, std);
    for (int i = 0; i < v.length; i++) v[i] += mean;
    Tensor t = TestData.upload(be, v, rows, cols);
    params.put(name, t);
    grads.put(name, be.zeros(rows, cols));
    return t;
  }

  private Result step() {
    Tensor table = param("embed", VOCAB, C, 1, 0), attnNorm = param("attnNorm", 1, C, 0.1, 1);
    Tensor wq = param("wq", HEADS * D, C, 0.06, 0), wk = param("wk", KV * D, C, 0.06, 0);
    Tensor wv = param("wv", KV * D, C, 0.06, 0), wo = param("wo", C, HEADS * D, 0.06, 0);
    Tensor mlpNorm = param("mlpNorm", 1, C, 0.1, 1), wg = param("wg", FFN, C, 0.06, 0);
    Tensor wu = param("wu", FFN, C, 0.06, 0), wd = param("wd", C, FFN, 0.04, 0);
    Tensor finalNorm = param("finalNorm", 1, C, 0.1, 1), lm = param("lm", VOCAB, C, 0.06, 0);
    for (var e : params.entrySet()) initial.put(e.getKey(), be.download(e.getValue()));
    int[] ids = TestData.ids(rnd.nextLong(), N, VOCAB);
    int[] targets = new int[N];
    for (int r = 0; r < N; r++) targets[r] = (r + 1) % T == 0 ? -1 : ids[r + 1];
    Tensor[] cs = ropeTables();
    Tensor cos = cs[0], sin = cs[1];
    AttentionShape s = AttentionShape.causal(BATCH, HEADS, KV, D, T);

    // ---- forward ----
    Tensor x = be.zeros(N, C);
    be.embedding(table, ids, x);
    Tensor rstd1 = be.zeros(N, 1), h = be.zeros(N, C);
    be.rmsNorm(x, attnNorm, 1e-5f, h, rstd1);
    Tensor q = be.zeros(N, HEADS * D), k = be.zeros(N, KV * D), v = be.zeros(N, KV * D);
    be.linear(h, wq, null, q);
    be.linear(h, wk, null, k);
    be.linear(h, wv, null, v);
    be.rope(q, k, cos, sin, D);
    Tensor att = be.zeros(N, HEADS * D), lse = be.zeros(N, HEADS);
    be.attention(s, q, k, v, att, lse);
    Tensor x2 = be.zeros(N, C), o = be.zeros(N, C);
    be.linear(att, wo, null, o);
    be.copy(x, x2);
    be.add(x2, o);
    Tensor rstd2 = be.zeros(N, 1), h2 = be.zeros(N, C);
    be.rmsNorm(x2, mlpNorm, 1e-5f, h2, rstd2);
    Tensor g = be.zeros(N, FFN), u = be.zeros(N, FFN), a = be.zeros(N, FFN);
    be.linear(h2, wg, null, g);
    be.linear(h2, wu, null, u);
    be.swiglu(g, u, a);
    Tensor x3 = be.zeros(N, C), m = be.zeros(N, C);
    be.linear(a, wd, null, m);
    be.copy(x2, x3);
    be.add(x3, m);
    Tensor rstd3 = be.zeros(N, 1), hf = be.zeros(N, C), logits = be.zeros(N, VOCAB);
    be.rmsNorm(x3, finalNorm, 1e-5f, hf, rstd3);
    be.linear(hf, lm, null, logits);
    long counted = java.util.Arrays.stream(targets).filter(t -> t >= 0).count();
    CrossEntropyLoss loss = be.crossEntropy(logits, targets, logits, 1f / counted);

    // ---- backward (logits now hold dLoss/dlogits) ----
    Tensor dhf = be.zeros(N, C), dx3 = be.zeros(N, C);
    be.linearBackward(logits, hf, lm, dhf, false, grads.get("lm"), null);
    be.rmsNormBackward(dhf, x3, finalNorm, rstd3, dx3, false, grads.get("finalNorm"));
    Tensor da = be.zeros(N, FFN), dg = be.zeros(N, FFN), du = be.zeros(N, FFN);
    be.linearBackward(dx3, a, wd, da, false, grads.get("wd"), null);
    be.swigluBackward(da, g, u, dg, du);
    Tensor dh2 = be.zeros(N, C), dx2 = be.zeros(N, C);
    be.linearBackward(dg, h2, wg, dh2, false, grads.get("wg"), null);
    be.linearBackward(du, h2, wu, dh2, true, grads.get("wu"), null);
    be.copy(dx3, dx2);
    be.rmsNormBackward(dh2, x2, mlpNorm, rstd2, dx2, true, grads.get("mlpNorm"));
    Tensor dAtt = be.zeros(N, HEADS * D);
    be.linearBackward(dx2, att, wo, dAtt, false, grads.get("wo"), null);
    Tensor dq = be.zeros(N, HEADS * D), dk = be.zeros(N, KV * D), dv = be.zeros(N, KV * D);
    be.attentionBackward(s, q, k, v, att, lse, dAtt, dq, dk, dv);
    be.ropeBackward(dq, dk, cos, sin, D);
    Tensor dh = be.zeros(N, C), dx = be.zeros(N, C);
    be.linearBackward(dq, h, wq, dh, false, grads.get("wq"), null);
    be.linearBackward(dk, h, wk, dh, true, grads.get("wk"), null);
    be.linearBackward(dv, h, wv, dh, true, grads.get("wv"), null);
    be.copy(dx2, dx);
    be.rmsNormBackward(dh, x, attnNorm, rstd1, dx, true, grads.get("attnNorm"));
    be.embeddingBackward(dx, ids, grads.get("embed"));

    // ---- clip and update ----
    Map<String, float[]> gradValues = new LinkedHashMap<>();
    double sq = 0;
    for (var e : grads.entrySet()) {
      gradValues.put(e.getKey(), be.download(e.getValue()));
      sq += be.sumOfSquares(e.getValue());
    }
    double norm = Math.sqrt(sq);
    float clip = (float) Math.min(1.0, 0.5 / norm);
    // A large eps keeps the first update a smooth function of the gradient (with eps = 1e-8 it
    // is lr·sign(g), which float noise can flip where g is nearly zero).
    AdamWConfig cfg = new AdamWConfig(1e-3f, 0.9f, 0.95f, 1e-3f, 0.1f);
    Map<String, float[]> updated = new LinkedHashMap<>();
    for (var e : params.entrySet()) {
      Tensor p = e.getValue(), gr = grads.get(e.getKey());
      be.scale(gr, clip);
      Tensor m1 = be.zeros(p.rows(), p.cols()), v1 = be.zeros(p.rows(), p.cols());
      be.adamW(p, gr, m1, v1, cfg, 1);
      updated.put(e.getKey(), be.download(p));
    }
    return new Result(loss, norm, initial, gradValues, updated);
  }

  /** cos/sin rows for CREAM-like positions: head, a far middle and a tail per sequence. */
  private Tensor[] ropeTables() {
    int half = D / 2;
    double[] cos = new double[N * half], sin = new double[N * half];
    for (int b = 0; b < BATCH; b++) {
      int middle = 1000 + rnd.nextInt(20_000);
      for (int t = 0; t < T; t++) {
        long pos = t < 40 ? t : t < 120 ? middle + t : 32_000 + t;
        for (int j = 0; j < half; j++) {
          double angle = pos * Math.pow(10_000, -2.0 * j / D);
          cos[(b * T + t) * half + j] = Math.cos(angle);
          sin[(b * T + t) * half + j] = Math.sin(angle);
        }
      }
    }
    return new Tensor[] {TestData.upload(be, cos, N, half), TestData.upload(be, sin, N, half)};
  }
}
