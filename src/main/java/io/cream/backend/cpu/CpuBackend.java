package io.cream.backend.cpu;

import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.HostFloats;
import io.cream.backend.OpChecks;
import io.cream.backend.Tensor;
import io.cream.util.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The CPU backend: float32 tensors on the Java heap, ops written with the Vector API and run on
 * {@link Parallel}'s workers. This class checks arguments ({@link OpChecks}) and delegates to one
 * class per op family.
 */
public final class CpuBackend implements Backend {
  private final OpChecks checks = new OpChecks(new OpChecks.Storage() {
    @Override
    public boolean overlaps(Tensor a, Tensor b) {
      return CpuTensor.of(a).overlaps(CpuTensor.of(b));
    }

    @Override
    public boolean sameStart(Tensor a, Tensor b) {
      CpuTensor x = CpuTensor.of(a), y = CpuTensor.of(b);
      return x.array() == y.array() && x.offset() == y.offset();
    }
  });

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
    checks.write(dst, data);
    CpuTensor d = CpuTensor.of(dst);
    System.arraycopy(data, 0, d.array(), d.offset(), data.length);
  }

  @Override
  public float[] download(Tensor t) {
    CpuTensor c = CpuTensor.of(t);
    return java.util.Arrays.copyOfRange(c.array(), c.offset(), c.offset() + c.length());
  }

  /** A copy out of the heap array, at once. */
  @Override
  public HostCopy copyToHost(Tensor t, HostFloats dst, long at) {
    OpChecks.hostRange("copyToHost", t, dst, at);
    CpuTensor c = CpuTensor.of(t);
    MemorySegment.copy(c.array(), c.offset(), dst.segment(), ValueLayout.JAVA_FLOAT, at * Float.BYTES, c.length());
    return HostCopy.DONE;
  }

  /** A copy into the heap array, at once. */
  @Override
  public HostCopy copyFromHost(HostFloats src, long at, Tensor t) {
    OpChecks.hostRange("copyFromHost", t, src, at);
    CpuTensor c = CpuTensor.of(t);
    MemorySegment.copy(src.segment(), ValueLayout.JAVA_FLOAT, at * Float.BYTES, c.array(), c.offset(), c.length());
    return HostCopy.DONE;
  }

  @Override
  public void copy(Tensor src, Tensor dst) {
    checks.copy(src, dst);
    CpuElementwise.copy(CpuTensor.of(src), CpuTensor.of(dst));
  }

  @Override
  public void fill(Tensor t, float value) {
    CpuElementwise.fill(CpuTensor.of(t), value);
  }

  // ---- embedding ----

  @Override
  public void embedding(Tensor table, int[] ids, Tensor out) {
    checks.embedding(table, ids, out);
    CpuEmbedding.forward(CpuTensor.of(table), ids, CpuTensor.of(out));
  }

  @Override
  public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
    checks.embeddingBackward(dOut, ids, dTable);
    CpuEmbedding.backward(CpuTensor.of(dOut), ids, CpuTensor.of(dTable));
  }

  // ---- RMSNorm ----

  @Override
  public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd) {
    checks.rmsNorm(x, weight, eps, out, rstd);
    CpuNorm.forward(CpuTensor.of(x), CpuTensor.of(weight), eps, CpuTensor.of(out),
        CpuTensor.of(rstd));
  }

  @Override
  public void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd,
      Tensor dx, boolean accumulateDx, Tensor dWeight) {
    checks.rmsNormBackward(dOut, x, weight, rstd, dx, dWeight);
    CpuNorm.backward(CpuTensor.of(dOut), CpuTensor.of(x), CpuTensor.of(weight),
        CpuTensor.of(rstd), CpuTensor.orNull(dx), accumulateDx, CpuTensor.orNull(dWeight));
  }

  // ---- linear ----

  @Override
  public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
    checks.linear(x, w, bias, out);
    CpuLinear.forward(CpuTensor.of(x), CpuTensor.of(w), CpuTensor.orNull(bias), CpuTensor.of(out));
  }

  @Override
  public void linearBackward(Tensor dOut, Tensor x, Tensor w,
      Tensor dx, boolean accumulateDx, Tensor dW, Tensor dBias) {
    checks.linearBackward(dOut, x, w, dx, dW, dBias);
    CpuLinear.backward(CpuTensor.of(dOut), CpuTensor.of(x), CpuTensor.of(w),
        CpuTensor.orNull(dx), accumulateDx, CpuTensor.orNull(dW), CpuTensor.orNull(dBias));
  }

  // ---- rotary position embedding ----

  @Override
  public void rope(Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim) {
    checks.rope("rope", q, k, cos, sin, headDim);
    rotate(q, k, cos, sin, headDim, 1f);
  }

  @Override
  public void ropeBackward(Tensor dq, Tensor dk, Tensor cos, Tensor sin, int headDim) {
    checks.rope("ropeBackward", dq, dk, cos, sin, headDim);
    rotate(dq, dk, cos, sin, headDim, -1f);
  }

  private static void rotate(Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim, float sign) {
    for (Tensor x : new Tensor[] {q, k}) {
      if (x != null) CpuRope.apply(CpuTensor.of(x), CpuTensor.of(cos), CpuTensor.of(sin), headDim, sign);
    }
  }

  // ---- attention ----

  @Override
  public void attention(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
    checks.attention(s, q, k, v, out, lse);
    CpuTensor o = CpuTensor.of(out), l = CpuTensor.of(lse);
    CpuAttention.forward(s, operands(q, k, v), o.array(), o.offset(), l.array(), l.offset());
  }

  @Override
  public void attentionBackward(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out,
      Tensor lse, Tensor dOut, Tensor dq, Tensor dk, Tensor dv) {
    checks.attentionBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
    CpuTensor o = CpuTensor.of(out), l = CpuTensor.of(lse), d = CpuTensor.of(dOut);
    CpuTensor gq = CpuTensor.of(dq), gk = CpuTensor.of(dk), gv = CpuTensor.of(dv);
    CpuAttentionBackward.backward(s, operands(q, k, v),
        new CpuAttentionBackward.Saved(o.array(), o.offset(), l.array(), l.offset(),
            d.array(), d.offset()),
        new CpuAttentionBackward.Grads(gq.array(), gq.offset(), gk.array(), gk.offset(),
            gv.array(), gv.offset()));
  }

  private static CpuAttention.Operands operands(Tensor q, Tensor k, Tensor v) {
    CpuTensor cq = CpuTensor.of(q), ck = CpuTensor.of(k), cv = CpuTensor.of(v);
    return new CpuAttention.Operands(cq.array(), cq.offset(), ck.array(), ck.offset(),
        cv.array(), cv.offset());
  }

  // ---- MLP ----

  @Override
  public void swiglu(Tensor gate, Tensor up, Tensor out) {
    checks.swiglu(gate, up, out);
    CpuSwiGlu.forward(CpuTensor.of(gate), CpuTensor.of(up), CpuTensor.of(out));
  }

  @Override
  public void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp) {
    checks.swigluBackward(dOut, gate, up, dGate, dUp);
    CpuSwiGlu.backward(CpuTensor.of(dOut), CpuTensor.of(gate), CpuTensor.of(up),
        CpuTensor.of(dGate), CpuTensor.of(dUp));
  }

  // ---- elementwise ----

  @Override
  public void add(Tensor a, Tensor b) {
    checks.add(a, b);
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
    checks.crossEntropy(logits, targets, dLogits);
    return CpuLogits.crossEntropy(CpuTensor.of(logits), targets, CpuTensor.orNull(dLogits),
        gradScale);
  }

  @Override
  public double[] targetLogProbs(Tensor logits, int[] targets) {
    checks.targetLogProbs(logits, targets);
    return CpuLogits.targetLogProbs(CpuTensor.of(logits), targets);
  }

  @Override
  public int[] argmax(Tensor logits) {
    return CpuLogits.argmax(CpuTensor.of(logits));
  }

  // ---- optimizer ----

  @Override
  public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWConfig config, long t) {
    checks.adamW(param, grad, m, v, config, t);
    CpuAdamW.step(CpuTensor.of(param), CpuTensor.of(grad), CpuTensor.of(m), CpuTensor.of(v),
        config, t);
  }

  /** CPU tensors are garbage-collected arrays: nothing to release. */
  @Override
  public void close() {}
}
