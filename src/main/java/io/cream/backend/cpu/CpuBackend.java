package io.cream.backend.cpu;

import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Shapes;
import io.cream.backend.Tensor;

/**
 * The CPU backend: float32 tensors on the Java heap, ops written with the Vector API and run on
 * {@link Parallel}'s workers. This class checks arguments and delegates to one class per op family.
 */
public final class CpuBackend implements Backend {

  @Override
  public String name() {
    return "cpu";
  }

  // ---- tensors ----

  @Override
  public Tensor zeros(int rows, int cols) {
    return CpuTensor.zeros(rows, cols);
  }

  @Override
  public Tensor upload(float[] data, int rows, int cols) {
    return CpuTensor.wrap(data.clone(), rows, cols);
  }

  @Override
  public void write(Tensor dst, float[] data) {
    CpuTensor d = CpuTensor.of(dst);
    Shapes.check(data.length == d.length(), "write",
        data.length + " floats for a " + d.rows() + "×" + d.cols() + " tensor");
    System.arraycopy(data, 0, d.array(), d.offset(), data.length);
  }

  @Override
  public float[] download(Tensor t) {
    CpuTensor c = CpuTensor.of(t);
    return java.util.Arrays.copyOfRange(c.array(), c.offset(), c.offset() + c.length());
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    Shapes.same("copy", "src", src, "dst", dst);
    CpuElementwise.copy(CpuTensor.of(src), CpuTensor.of(dst));
  }

  @Override
  public void fill(Tensor t, float value) {
    CpuElementwise.fill(CpuTensor.of(t), value);
  }

  // ---- embedding ----

  @Override
  public void embedding(Tensor table, int[] ids, Tensor out) {
    Shapes.ids("embedding", ids, out.rows(), table.rows(), false);
    Shapes.require("embedding", "out", out, ids.length, table.cols());
    CpuEmbedding.forward(CpuTensor.of(table), ids, CpuTensor.of(out));
  }

  @Override
  public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
    Shapes.ids("embeddingBackward", ids, dOut.rows(), dTable.rows(), false);
    Shapes.require("embeddingBackward", "dOut", dOut, ids.length, dTable.cols());
    CpuEmbedding.backward(CpuTensor.of(dOut), ids, CpuTensor.of(dTable));
  }

  // ---- RMSNorm ----

  @Override
  public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd) {
    String op = "rmsNorm";
    Shapes.require(op, "weight", weight, 1, x.cols());
    Shapes.same(op, "x", x, "out", out);
    Shapes.require(op, "rstd", rstd, x.rows(), 1);
    Shapes.check(eps >= 0, op, "eps must be ≥ 0, got " + eps);
    disjoint(op, out, x, weight);
    CpuNorm.forward(CpuTensor.of(x), CpuTensor.of(weight), eps, CpuTensor.of(out),
        CpuTensor.of(rstd));
  }

  @Override
  public void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd,
      Tensor dx, boolean accumulateDx, Tensor dWeight) {
    String op = "rmsNormBackward";
    Shapes.same(op, "x", x, "dOut", dOut);
    Shapes.require(op, "weight", weight, 1, x.cols());
    Shapes.require(op, "rstd", rstd, x.rows(), 1);
    if (dx != null) {
      Shapes.same(op, "x", x, "dx", dx);
      disjoint(op, dx, dOut, x, weight, rstd);
    }
    if (dWeight != null) Shapes.same(op, "weight", weight, "dWeight", dWeight);
    CpuNorm.backward(CpuTensor.of(dOut), CpuTensor.of(x), CpuTensor.of(weight),
        CpuTensor.of(rstd), CpuTensor.orNull(dx), accumulateDx, CpuTensor.orNull(dWeight));
  }

  // ---- linear ----

  @Override
  public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
    String op = "linear";
    Shapes.check(w.cols() == x.cols(), op,
        "x has " + x.cols() + " columns but w [out × in] is " + w.rows() + "×" + w.cols());
    Shapes.require(op, "out", out, x.rows(), w.rows());
    if (bias != null) Shapes.require(op, "bias", bias, 1, w.rows());
    disjoint(op, out, x, w, bias);
    CpuLinear.forward(CpuTensor.of(x), CpuTensor.of(w), CpuTensor.orNull(bias), CpuTensor.of(out));
  }

  @Override
  public void linearBackward(Tensor dOut, Tensor x, Tensor w,
      Tensor dx, boolean accumulateDx, Tensor dW, Tensor dBias) {
    String op = "linearBackward";
    Shapes.check(w.cols() == x.cols(), op,
        "x has " + x.cols() + " columns but w [out × in] is " + w.rows() + "×" + w.cols());
    Shapes.require(op, "dOut", dOut, x.rows(), w.rows());
    if (dx != null) {
      Shapes.same(op, "x", x, "dx", dx);
      disjoint(op, dx, dOut, w);
    }
    if (dW != null) {
      Shapes.same(op, "w", w, "dW", dW);
      disjoint(op, dW, dOut, x);
    }
    if (dBias != null) Shapes.require(op, "dBias", dBias, 1, w.rows());
    CpuLinear.backward(CpuTensor.of(dOut), CpuTensor.of(x), CpuTensor.of(w),
        CpuTensor.orNull(dx), accumulateDx, CpuTensor.orNull(dW), CpuTensor.orNull(dBias));
  }

  // ---- rotary position embedding ----

  @Override
  public void rope(Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim) {
    rotate("rope", q, k, cos, sin, headDim, 1f);
  }

  @Override
  public void ropeBackward(Tensor dq, Tensor dk, Tensor cos, Tensor sin, int headDim) {
    rotate("ropeBackward", dq, dk, cos, sin, headDim, -1f);
  }

  private static void rotate(String op, Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim,
      float sign) {
    Shapes.check(headDim > 0 && headDim % 2 == 0, op, "headDim must be even, got " + headDim);
    Shapes.same(op, "cos", cos, "sin", sin);
    Shapes.check(cos.cols() == headDim / 2, op,
        "cos/sin have " + cos.cols() + " columns, expected headDim/2 = " + headDim / 2);
    for (Tensor x : new Tensor[] {q, k}) {
      if (x == null) continue;
      Shapes.check(x.cols() % headDim == 0, op,
          x.cols() + " columns are not a whole number of heads of " + headDim);
      Shapes.check(x.rows() == cos.rows(), op,
          x.rows() + " rows but cos/sin have " + cos.rows() + "; give one table row per token");
      CpuRope.apply(CpuTensor.of(x), CpuTensor.of(cos), CpuTensor.of(sin), headDim, sign);
    }
  }

  // ---- attention ----

  @Override
  public void attention(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
    String op = "attention";
    checkAttentionInputs(op, s, q, k, v);
    Shapes.require(op, "out", out, s.queryRows(), s.queryCols());
    Shapes.require(op, "lse", lse, s.queryRows(), s.heads());
    disjoint(op, out, q, k, v);
    disjoint(op, lse, q, k, v, out);
    CpuTensor o = CpuTensor.of(out), l = CpuTensor.of(lse);
    CpuAttention.forward(s, operands(q, k, v), o.array(), o.offset(), l.array(), l.offset());
  }

  @Override
  public void attentionBackward(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out,
      Tensor lse, Tensor dOut, Tensor dq, Tensor dk, Tensor dv) {
    String op = "attentionBackward";
    checkAttentionInputs(op, s, q, k, v);
    Shapes.require(op, "out", out, s.queryRows(), s.queryCols());
    Shapes.require(op, "lse", lse, s.queryRows(), s.heads());
    Shapes.same(op, "out", out, "dOut", dOut);
    Shapes.same(op, "q", q, "dq", dq);
    Shapes.same(op, "k", k, "dk", dk);
    Shapes.same(op, "v", v, "dv", dv);
    for (Tensor g : new Tensor[] {dq, dk, dv}) disjoint(op, g, q, k, v, out, lse, dOut);
    disjoint(op, dq, dk, dv);
    disjoint(op, dk, dv);
    CpuTensor o = CpuTensor.of(out), l = CpuTensor.of(lse), d = CpuTensor.of(dOut);
    CpuTensor gq = CpuTensor.of(dq), gk = CpuTensor.of(dk), gv = CpuTensor.of(dv);
    CpuAttentionBackward.backward(s, operands(q, k, v),
        new CpuAttentionBackward.Saved(o.array(), o.offset(), l.array(), l.offset(),
            d.array(), d.offset()),
        new CpuAttentionBackward.Grads(gq.array(), gq.offset(), gk.array(), gk.offset(),
            gv.array(), gv.offset()));
  }

  private static void checkAttentionInputs(String op, AttentionShape s, Tensor q, Tensor k,
      Tensor v) {
    Shapes.check(s != null, op, "shape is null");
    Shapes.require(op, "q", q, s.queryRows(), s.queryCols());
    Shapes.require(op, "k", k, s.kvRows(), s.kvCols());
    Shapes.require(op, "v", v, s.kvRows(), s.kvCols());
  }

  private static CpuAttention.Operands operands(Tensor q, Tensor k, Tensor v) {
    CpuTensor cq = CpuTensor.of(q), ck = CpuTensor.of(k), cv = CpuTensor.of(v);
    return new CpuAttention.Operands(cq.array(), cq.offset(), ck.array(), ck.offset(),
        cv.array(), cv.offset());
  }

  // ---- MLP ----

  @Override
  public void swiglu(Tensor gate, Tensor up, Tensor out) {
    Shapes.same("swiglu", "gate", gate, "up", up);
    Shapes.same("swiglu", "gate", gate, "out", out);
    CpuSwiGlu.forward(CpuTensor.of(gate), CpuTensor.of(up), CpuTensor.of(out));
  }

  @Override
  public void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp) {
    String op = "swigluBackward";
    Shapes.same(op, "gate", gate, "up", up);
    Shapes.same(op, "gate", gate, "dOut", dOut);
    Shapes.same(op, "gate", gate, "dGate", dGate);
    Shapes.same(op, "gate", gate, "dUp", dUp);
    disjoint(op, dGate, dUp);
    CpuSwiGlu.backward(CpuTensor.of(dOut), CpuTensor.of(gate), CpuTensor.of(up),
        CpuTensor.of(dGate), CpuTensor.of(dUp));
  }

  // ---- elementwise ----

  @Override
  public void add(Tensor a, Tensor b) {
    Shapes.same("add", "a", a, "b", b);
    CpuElementwise.add(CpuTensor.of(a), CpuTensor.of(b));
  }

  @Override
  public void scale(Tensor t, float factor) {
    CpuElementwise.scale(CpuTensor.of(t), factor);
  }

  @Override
  public double sumOfSquares(Tensor t) {
    return CpuElementwise.sumOfSquares(CpuTensor.of(t));
  }

  // ---- loss and decoding ----

  @Override
  public CrossEntropyLoss crossEntropy(Tensor logits, int[] targets, Tensor dLogits,
      float gradScale) {
    Shapes.ids("crossEntropy", targets, logits.rows(), logits.cols(), true);
    if (dLogits != null) {
      Shapes.same("crossEntropy", "logits", logits, "dLogits", dLogits);
      CpuTensor g = CpuTensor.of(dLogits);
      Shapes.check(g.offset() == CpuTensor.of(logits).offset() || !g.overlaps(CpuTensor.of(logits)),
          "crossEntropy", "dLogits partly overlaps logits; pass logits itself or a separate tensor");
    }
    return CpuLogits.crossEntropy(CpuTensor.of(logits), targets, CpuTensor.orNull(dLogits),
        gradScale);
  }

  @Override
  public double[] targetLogProbs(Tensor logits, int[] targets) {
    Shapes.ids("targetLogProbs", targets, logits.rows(), logits.cols(), true);
    return CpuLogits.targetLogProbs(CpuTensor.of(logits), targets);
  }

  @Override
  public int[] argmax(Tensor logits) {
    return CpuLogits.argmax(CpuTensor.of(logits));
  }

  // ---- optimizer ----

  @Override
  public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWConfig config, long t) {
    String op = "adamW";
    Shapes.check(t >= 1, op, "step t counts from 1, got " + t);
    Shapes.check(config != null, op, "config is null");
    Shapes.same(op, "param", param, "grad", grad);
    Shapes.same(op, "param", param, "m", m);
    Shapes.same(op, "param", param, "v", v);
    disjoint(op, param, grad, m, v);
    disjoint(op, m, grad, v);
    CpuAdamW.step(CpuTensor.of(param), CpuTensor.of(grad), CpuTensor.of(m), CpuTensor.of(v),
        config, t);
  }

  /** CPU tensors are garbage-collected arrays: nothing to release. */
  @Override
  public void close() {}

  /** Rejects an output that shares elements with any input (optional inputs may be null). */
  private static void disjoint(String op, Tensor output, Tensor... inputs) {
    CpuTensor o = CpuTensor.of(output);
    for (Tensor in : inputs) {
      if (in != null && o.overlaps(CpuTensor.of(in))) {
        throw new IllegalArgumentException(op + ": an output overlaps an input; use separate tensors");
      }
    }
  }
}
