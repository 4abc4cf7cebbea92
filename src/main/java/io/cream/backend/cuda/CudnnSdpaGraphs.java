package io.cream.backend.cuda;

import io.cream.backend.AttentionShape;

/**
 * The cuDNN operation graphs of causal attention ({@link CudnnAttention} plans and runs them):
 * the ones cuDNN's C++ frontend builds for PyTorch's scaled_dot_product_attention(is_causal=True)
 * in bf16, read from cuDNN's API log around one such PyTorch call (docs/cuda-backend.md, "Attention
 * on cuDNN", says how), so that cuDNN's engines recognise them and run their fused
 * flash-attention kernels. Forward: S = QKᵀ·scale, the causal mask as GEN_INDEX(row) ≥
 * GEN_INDEX(col) with BINARY_SELECT(−∞), max, exp, sum, the log-sum-exp out as a statistic, P =
 * E/Σ in bf16, O = P·V (or every key unmasked, for a prefill chunk's earlier keys). Backward: Δ =
 * rowsum(dO∘O), P = exp(S·scale − lse) under the mask, dV = Pᵀ·dO and dK = dSᵀ·Q (summed over
 * each group's query heads for GQA), dS = P∘(dO·Vᵀ − Δ)·scale, dQ = dS·K into an fp32
 * accumulator, rounded to bf16. Tensors are cream's row-major matrices seen through strides.
 */
final class CudnnSdpaGraphs {
  // Unique ids of the graph tensors that the variant pack binds.
  static final long Q = 1, K = 2, V = 3, O = 4, STATS = 5, SCALE = 6, NEG_INF = 7, DO = 8, DQ = 9,
      DK = 10, DV = 11, SOFTMAX_SUM = 12, DQ_ACCUM = 13, ONE = 14;

  private CudnnSdpaGraphs() {}

  // ---- layouts: cream's rows (b·len + s) × (h·d + e), seen by cuDNN as [b, h, s, e] ----

  private static long[] dims(long b, long h, long s, long d) {
    return new long[] {b, h, s, d};
  }

  /** Strides of cream's row-major [batch·len × heads·d] as [b, h, s, e]. */
  private static long[] rowMajor(long h, long s, long d) {
    return new long[] {s * h * d, d, h * d, 1};
  }

  /** The same memory seen transposed as [b, h, e, s] (Kᵀ, Vᵀ). */
  private static long[] rowMajorTransposed(long h, long s, long d) {
    return new long[] {s * h * d, d, 1, h * d};
  }

  private static long[] packed(long h, long s, long d) {
    return new long[] {h * s * d, s * d, d, 1};
  }

  private static long[] rowStats(long h, long s) {
    return new long[] {h * s, s, 1, 1};
  }

  /**
   * The forward over `keys` keys: causal (query i sees keys ≤ i; keys = queryLen) or every key
   * (a chunk's queries over the keys before it).
   */
  static CudnnGraph forward(Cudnn dnn, AttentionShape s, long keys, boolean causal) {
    long b = s.batch(), h = s.heads(), hk = s.kvHeads(), t = s.queryLen(), d = s.headDim();
    long kvLen = s.kvStride(); // K and V rows per sequence (a KV cache may hold more than t)
    CudnnGraph g = new CudnnGraph(dnn);
    try {
      var q = g.tensor(Q, Cudnn.DATA_BFLOAT16, dims(b, h, t, d), rowMajor(h, t, d), false);
      var kT = g.tensor(K, Cudnn.DATA_BFLOAT16, dims(b, hk, d, keys), rowMajorTransposed(hk, kvLen, d), false);
      var v = g.tensor(V, Cudnn.DATA_BFLOAT16, dims(b, hk, keys, d), rowMajor(hk, kvLen, d), false);
      var o = g.tensor(O, Cudnn.DATA_BFLOAT16, dims(b, h, t, d), rowMajor(h, t, d), false);
      var stats = g.tensor(STATS, Cudnn.DATA_FLOAT, dims(b, h, t, 1), rowStats(h, t), false);
      var scale = g.scalar(SCALE);
      Scores sc = new Scores(g, b, h, t, keys, 100);
      var s1 = sc.next(Cudnn.DATA_FLOAT);
      g.matmul(q, kT, s1);
      var s2 = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_MUL, s1, scale, s2);
      var masked = causal ? sc.causalMask(s2, g.scalar(NEG_INF)) : s2;
      var max = sc.row();
      g.reduction(Cudnn.REDUCE_MAX, masked, max);
      var shifted = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_SUB, masked, max, shifted);
      var e = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_EXP, shifted, null, e);
      var sum = sc.row();
      g.reduction(Cudnn.REDUCE_ADD, e, sum);
      var logSum = sc.row();
      g.pointwise(Cudnn.PW_LOG, sum, null, logSum);
      g.pointwise(Cudnn.PW_ADD, max, logSum, stats);
      var p = sc.next(Cudnn.DATA_BFLOAT16);
      g.pointwise(Cudnn.PW_DIV, e, sum, p);
      g.matmul(p, v, o);
      g.plan(causal ? "attention forward" : "attention forward over earlier keys");
      return g;
    } catch (RuntimeException ex) {
      g.close();
      throw ex;
    }
  }

  static CudnnGraph backward(Cudnn dnn, AttentionShape s) {
    long b = s.batch(), h = s.heads(), hk = s.kvHeads(), t = s.queryLen(), d = s.headDim();
    boolean grouped = hk != h;
    CudnnGraph g = new CudnnGraph(dnn);
    try {
      var q = g.tensor(Q, Cudnn.DATA_BFLOAT16, dims(b, h, t, d), rowMajor(h, t, d), false);
      var kT = g.tensor(K, Cudnn.DATA_BFLOAT16, dims(b, hk, d, t), rowMajorTransposed(hk, t, d), false);
      var vT = g.tensor(V, Cudnn.DATA_BFLOAT16, dims(b, hk, d, t), rowMajorTransposed(hk, t, d), false);
      var o = g.tensor(O, Cudnn.DATA_BFLOAT16, dims(b, h, t, d), rowMajor(h, t, d), false);
      var dO = g.tensor(DO, Cudnn.DATA_BFLOAT16, dims(b, h, t, d), rowMajor(h, t, d), false);
      var stats = g.tensor(STATS, Cudnn.DATA_FLOAT, dims(b, h, t, 1), rowStats(h, t), false);
      var dQ = g.tensor(DQ, Cudnn.DATA_BFLOAT16, dims(b, h, t, d), rowMajor(h, t, d), false);
      var dK = g.tensor(DK, Cudnn.DATA_BFLOAT16, dims(b, hk, t, d), rowMajor(hk, t, d), false);
      var dV = g.tensor(DV, Cudnn.DATA_BFLOAT16, dims(b, hk, t, d), rowMajor(hk, t, d), false);
      var softmaxSum = g.tensor(SOFTMAX_SUM, Cudnn.DATA_FLOAT, dims(b, h, t, 1), rowStats(h, t), false);
      var dqAccum = g.tensor(DQ_ACCUM, Cudnn.DATA_FLOAT, dims(b, h, t, d), packed(h, t, d), false);
      var scale = g.scalar(SCALE);
      var negInfinity = g.scalar(NEG_INF);
      var unit = g.scalar(ONE);
      Scores sc = new Scores(g, b, h, t, t, 200);

      // softmaxSum = rowsum(dO ∘ O): the D term of dS = P ∘ (dP − D).
      var dOO = g.tensor(sc.nextUid(), Cudnn.DATA_FLOAT, dims(b, h, t, d),
          new long[] {t * h * d, t * d, h * d, 1}, true);
      g.pointwise(Cudnn.PW_MUL, dO, o, dOO);
      var rowSum = sc.row();
      g.reduction(Cudnn.REDUCE_ADD, dOO, rowSum);
      g.pointwise(Cudnn.PW_MUL, rowSum, unit, softmaxSum);

      // P = exp(QKᵀ·scale − lse) under the causal mask.
      var s1 = sc.next(Cudnn.DATA_FLOAT);
      g.matmul(q, kT, s1);
      var s2 = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_MUL, s1, scale, s2);
      var s3 = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_SUB, s2, stats, s3);
      var masked = sc.causalMask(s3, negInfinity);
      var p = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_EXP, masked, null, p);

      // dV = Pᵀ·dO (summed over the query heads of each group).
      var pT = sc.nextTransposed(Cudnn.DATA_BFLOAT16);
      g.reshape(p, pT);
      headGradient(g, sc, pT, dO, dV, grouped, b, h, t, d);

      // dS = P ∘ (dO·Vᵀ − softmaxSum) · scale.
      var dP = sc.next(Cudnn.DATA_FLOAT);
      g.matmul(dO, vT, dP);
      var t1 = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_SUB, dP, softmaxSum, t1);
      var t2 = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_MUL, t1, p, t2);
      var dS = sc.next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_MUL, t2, scale, dS);

      // dK = dSᵀ·Q (summed over the group's heads).
      var dST = sc.nextTransposed(Cudnn.DATA_BFLOAT16);
      g.reshape(dS, dST);
      headGradient(g, sc, dST, q, dK, grouped, b, h, t, d);

      // dQ = dS·K, accumulated in fp32, then rounded to bf16.
      var k = g.tensor(sc.nextUid(), Cudnn.DATA_FLOAT, dims(b, hk, t, d), rowMajor(hk, t, d), true);
      g.reshape(kT, k);
      g.matmul(dS, k, dqAccum);
      g.pointwise(Cudnn.PW_IDENTITY, dqAccum, null, dQ);
      g.plan("attention backward");
      return g;
    } catch (RuntimeException ex) {
      g.close();
      throw ex;
    }
  }

  /** out = aᵀ-product a·x per query head, then (grouped) summed into the KV heads of out. */
  private static void headGradient(CudnnGraph g, Scores sc, CudnnGraph.Tensor a,
      CudnnGraph.Tensor x, CudnnGraph.Tensor out, boolean grouped, long b, long h, long t,
      long d) {
    if (!grouped) {
      g.matmul(a, x, out);
      return;
    }
    var perHead = g.tensor(sc.nextUid(), Cudnn.DATA_BFLOAT16, dims(b, h, t, d), packed(h, t, d), true);
    g.matmul(a, x, perHead);
    g.reduction(Cudnn.REDUCE_ADD, perHead, out);
  }

  /** Virtual score-shaped tensors ([b, h, tq, tk]) and per-row statistics, numbered from a base. */
  private static final class Scores {
    private final CudnnGraph g;
    private final long b, h, tq, tk;
    private long uid;

    Scores(CudnnGraph g, long b, long h, long tq, long tk, long firstUid) {
      this.g = g;
      this.b = b;
      this.h = h;
      this.tq = tq;
      this.tk = tk;
      this.uid = firstUid;
    }

    long nextUid() {
      return uid++;
    }

    private CudnnGraph.Tensor scores(int type, long[] strides) {
      return g.tensor(uid++, type, dims(b, h, tq, tk), strides, true);
    }

    CudnnGraph.Tensor next(int type) {
      return scores(type, new long[] {h * tq * tk, tq * tk, tk, 1});
    }

    /** The same elements stored column by column (a transposed operand of the backward). */
    CudnnGraph.Tensor nextTransposed(int type) {
      return scores(type, new long[] {h * tq * tk, tq * tk, 1, tq});
    }

    CudnnGraph.Tensor row() {
      return g.tensor(uid++, Cudnn.DATA_FLOAT, dims(b, h, tq, 1), rowStats(h, tq), true);
    }

    /** x where row ≥ column, −∞ elsewhere (the causal mask as cuDNN's fused kernels expect it). */
    CudnnGraph.Tensor causalMask(CudnnGraph.Tensor x, CudnnGraph.Tensor negInfinity) {
      var row = next(Cudnn.DATA_INT32);
      g.pointwise(Cudnn.PW_GEN_INDEX, Cudnn.DATA_FLOAT, x, null, null, row, 2);
      var col = next(Cudnn.DATA_INT32);
      g.pointwise(Cudnn.PW_GEN_INDEX, Cudnn.DATA_FLOAT, x, null, null, col, 3);
      var keep = next(Cudnn.DATA_BOOLEAN);
      g.pointwise(Cudnn.PW_CMP_GE, Cudnn.DATA_BOOLEAN, row, col, null, keep, -1);
      var y = next(Cudnn.DATA_FLOAT);
      g.pointwise(Cudnn.PW_BINARY_SELECT, Cudnn.DATA_FLOAT, x, negInfinity, keep, y, -1);
      return y;
    }
  }
}
