package io.cream.bench;

import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * A backend that forwards every op to another and adds its wall time to a per-op total, waiting
 * for the device before and after each op ({@link Backend#synchronize}), so each op's time is its
 * own kernels'.
 * The waits cost a few microseconds per op: use it for a breakdown, not for the headline rate.
 */
public final class OpProfiler implements Backend {
  private final Backend b;
  private final Map<String, double[]> totals = new TreeMap<>(); // name → {ms, calls}
  private boolean enabled;

  public OpProfiler(Backend backend) {
    this.b = backend;
  }

  /** Per op: total milliseconds and number of calls, since the last {@link #reset}. */
  public Map<String, double[]> totals() {
    return totals;
  }

  public void reset() {
    totals.clear();
  }

  /** Starts or stops timing (off at first: then every op is a plain call). */
  public void setEnabled(boolean on) {
    enabled = on;
  }

  private void time(String op, Runnable body) {
    time(op, () -> {
      body.run();
      return null;
    });
  }

  private <T> T time(String op, Supplier<T> body) {
    if (!enabled) return body.get();
    b.synchronize();
    long t0 = System.nanoTime();
    T out = body.get();
    b.synchronize();
    double[] t = totals.computeIfAbsent(op, k -> new double[2]);
    t[0] += (System.nanoTime() - t0) / 1e6;
    t[1]++;
    return out;
  }

  @Override public String name() { return b.name() + "+profile"; }
  @Override public Tensor zeros(int rows, int cols) { return b.zeros(rows, cols); }
  @Override public Tensor matmulInput(int rows, int cols) { return b.matmulInput(rows, cols); }
  @Override public String attentionImplementation(AttentionShape s) { return b.attentionImplementation(s); }
  @Override public int promptChunk() { return b.promptChunk(); }
  @Override public String deviceName() { return b.deviceName(); }
  @Override public void synchronize() { b.synchronize(); }
  @Override public long peakBytes() { return b.peakBytes(); }
  @Override public String precisionLabel() { return b.precisionLabel(); }
  @Override public long memoryAvailable() { return b.memoryAvailable(); }
  @Override public int matmulInputBytes() { return b.matmulInputBytes(); }
  @Override public long maxTensorElements() { return b.maxTensorElements(); }
  @Override public Tensor upload(float[] data, int rows, int cols) { return b.upload(data, rows, cols); }
  @Override public void write(Tensor dst, float[] data) { b.write(dst, data); }
  @Override public float[] download(Tensor t) { return b.download(t); }
  @Override public void copy(Tensor src, Tensor dst) { time("copy", () -> b.copy(src, dst)); }

  @Override public void copyRows(Tensor src, int srcRow, Tensor dst, int dstRow, int count) {
    time("copy", () -> b.copyRows(src, srcRow, dst, dstRow, count));
  }

  @Override public void fill(Tensor t, float value) { time("fill", () -> b.fill(t, value)); }
  @Override public void embedding(Tensor table, int[] ids, Tensor out) { time("embedding", () -> b.embedding(table, ids, out)); }

  @Override public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
    time("embedding bwd", () -> b.embeddingBackward(dOut, ids, dTable));
  }

  @Override public void rmsNorm(Tensor x, Tensor w, float eps, Tensor out, Tensor rstd) {
    time("rmsnorm", () -> b.rmsNorm(x, w, eps, out, rstd));
  }

  @Override public void rmsNormBackward(Tensor dOut, Tensor x, Tensor w, Tensor rstd, Tensor dx, boolean acc, Tensor dW) {
    time("rmsnorm bwd", () -> b.rmsNormBackward(dOut, x, w, rstd, dx, acc, dW));
  }

  @Override public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) { time("linear", () -> b.linear(x, w, bias, out)); }

  @Override public void linear(Tensor x, Tensor[] ws, Tensor[] biases, Tensor[] outs) {
    time("linear", () -> b.linear(x, ws, biases, outs));
  }

  @Override public void linearBackward(Tensor[] dOuts, Tensor x, Tensor[] ws, Tensor dx, boolean acc,
      Tensor[] dWs, Tensor[] dBiases) {
    time("linear bwd", () -> b.linearBackward(dOuts, x, ws, dx, acc, dWs, dBiases));
  }

  @Override public void linearBackward(Tensor dOut, Tensor x, Tensor w, Tensor dx, boolean acc, Tensor dW, Tensor dBias) {
    time("linear bwd", () -> b.linearBackward(dOut, x, w, dx, acc, dW, dBias));
  }

  @Override public void rope(Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim) { time("rope", () -> b.rope(q, k, cos, sin, headDim)); }

  @Override public void ropeBackward(Tensor dq, Tensor dk, Tensor cos, Tensor sin, int headDim) {
    time("rope bwd", () -> b.ropeBackward(dq, dk, cos, sin, headDim));
  }

  @Override public void attention(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
    time("attention", () -> b.attention(s, q, k, v, out, lse));
  }

  @Override public void attentionBackward(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse,
      Tensor dOut, Tensor dq, Tensor dk, Tensor dv) {
    time("attention bwd", () -> b.attentionBackward(s, q, k, v, out, lse, dOut, dq, dk, dv));
  }

  @Override public void swiglu(Tensor gate, Tensor up, Tensor out) { time("swiglu", () -> b.swiglu(gate, up, out)); }

  @Override public void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp) {
    time("swiglu bwd", () -> b.swigluBackward(dOut, gate, up, dGate, dUp));
  }

  @Override public void add(Tensor a, Tensor x) { time("add", () -> b.add(a, x)); }
  @Override public void scale(Tensor t, float factor) { time("scale", () -> b.scale(t, factor)); }
  @Override public double sumOfSquares(Tensor t) { return time("sum of squares", () -> b.sumOfSquares(t)); }

  @Override public double sumOfSquares(List<? extends Tensor> tensors) {
    return time("sum of squares", () -> b.sumOfSquares(tensors));
  }

  @Override public CrossEntropyLoss crossEntropy(Tensor logits, int[] targets, Tensor dLogits, float gradScale) {
    return time("cross-entropy", () -> b.crossEntropy(logits, targets, dLogits, gradScale));
  }

  @Override public double[] targetLogProbs(Tensor logits, int[] targets) { return time("log-probs", () -> b.targetLogProbs(logits, targets)); }
  @Override public int[] argmax(Tensor logits) { return time("argmax", () -> b.argmax(logits)); }

  @Override public void adamW(Tensor p, Tensor g, Tensor m, Tensor v, AdamWConfig c, long t) {
    time("adamw", () -> b.adamW(p, g, m, v, c, t));
  }

  @Override public double clipAndAdamW(List<? extends Tensor> p, List<? extends Tensor> g,
      List<? extends Tensor> m, List<? extends Tensor> v, AdamWConfig c, long t, double maxNorm) {
    return time("clip + adamw", () -> b.clipAndAdamW(p, g, m, v, c, t, maxNorm));
  }

  /** The wrapped backend stays open: its owner closes it. */
  @Override public void close() {}
}
