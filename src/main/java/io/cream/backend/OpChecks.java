package io.cream.backend;

import java.util.List;

/**
 * The argument checks of every {@link Backend} op, shared so that each backend rejects the same
 * mistakes with the same messages before it touches memory. Only where storage lives differs
 * between backends: that is asked of the {@link Storage} given at construction.
 */
public final class OpChecks {
  /** How a backend tells whether two tensors share elements. */
  public interface Storage {
    boolean overlaps(Tensor a, Tensor b);

    /** Whether both start at the same element (an op that allows working in place). */
    boolean sameStart(Tensor a, Tensor b);
  }

  private final Storage storage;

  public OpChecks(Storage storage) {
    this.storage = storage;
  }

  public void write(Tensor dst, float[] data) {
    Shapes.check(data.length == dst.size(), "write",
        data.length + " floats for a " + dst.rows() + "×" + dst.cols() + " tensor");
  }

  /** copyToHost and copyFromHost: the range [at, at + t.size()) must lie in host. */
  public static void hostRange(String op, Tensor t, HostFloats host, long at) {
    Shapes.check(at >= 0 && at + t.size() <= host.count(), op, "host range [" + at + ", "
        + (at + t.size()) + ") outside " + host.count() + " floats");
  }

  public void copy(Tensor src, Tensor dst) {
    Shapes.same("copy", "src", src, "dst", dst);
  }

  public void embedding(Tensor table, int[] ids, Tensor out) {
    Shapes.ids("embedding", ids, out.rows(), table.rows(), false);
    Shapes.require("embedding", "out", out, ids.length, table.cols());
  }

  public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
    Shapes.ids("embeddingBackward", ids, dOut.rows(), dTable.rows(), false);
    Shapes.require("embeddingBackward", "dOut", dOut, ids.length, dTable.cols());
  }

  public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd) {
    String op = "rmsNorm";
    Shapes.require(op, "weight", weight, 1, x.cols());
    Shapes.same(op, "x", x, "out", out);
    Shapes.require(op, "rstd", rstd, x.rows(), 1);
    Shapes.check(eps >= 0, op, "eps must be ≥ 0, got " + eps);
    disjoint(op, out, x, weight);
  }

  public void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd, Tensor dx,
      Tensor dWeight) {
    String op = "rmsNormBackward";
    Shapes.same(op, "x", x, "dOut", dOut);
    Shapes.require(op, "weight", weight, 1, x.cols());
    Shapes.require(op, "rstd", rstd, x.rows(), 1);
    if (dx != null) {
      Shapes.same(op, "x", x, "dx", dx);
      disjoint(op, dx, dOut, x, weight, rstd);
    }
    if (dWeight != null) Shapes.same(op, "weight", weight, "dWeight", dWeight);
  }

  public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
    String op = "linear";
    linearShapes(op, x, w);
    Shapes.require(op, "out", out, x.rows(), w.rows());
    if (bias != null) Shapes.require(op, "bias", bias, 1, w.rows());
    disjoint(op, out, x, w, bias);
  }

  public void linearBackward(Tensor dOut, Tensor x, Tensor w, Tensor dx, Tensor dW, Tensor dBias) {
    String op = "linearBackward";
    linearShapes(op, x, w);
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
  }

  private static void linearShapes(String op, Tensor x, Tensor w) {
    Shapes.check(w.cols() == x.cols(), op,
        "x has " + x.cols() + " columns but w [out × in] is " + w.rows() + "×" + w.cols());
  }

  /** rope and ropeBackward: the tables, then each of q and k that is given. */
  public void rope(String op, Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim) {
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
    }
  }

  public void attention(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
    String op = "attention";
    attentionInputs(op, s, q, k, v);
    Shapes.require(op, "out", out, s.queryRows(), s.queryCols());
    Shapes.require(op, "lse", lse, s.queryRows(), s.heads());
    disjoint(op, out, q, k, v);
    disjoint(op, lse, q, k, v, out);
  }

  public void attentionBackward(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out,
      Tensor lse, Tensor dOut, Tensor dq, Tensor dk, Tensor dv) {
    String op = "attentionBackward";
    attentionInputs(op, s, q, k, v);
    Shapes.require(op, "out", out, s.queryRows(), s.queryCols());
    Shapes.require(op, "lse", lse, s.queryRows(), s.heads());
    Shapes.same(op, "out", out, "dOut", dOut);
    Shapes.same(op, "q", q, "dq", dq);
    Shapes.same(op, "k", k, "dk", dk);
    Shapes.same(op, "v", v, "dv", dv);
    for (Tensor g : new Tensor[] {dq, dk, dv}) disjoint(op, g, q, k, v, out, lse, dOut);
    disjoint(op, dq, dk, dv);
    disjoint(op, dk, dv);
  }

  private static void attentionInputs(String op, AttentionShape s, Tensor q, Tensor k, Tensor v) {
    Shapes.check(s != null, op, "shape is null");
    Shapes.require(op, "q", q, s.queryRows(), s.queryCols());
    Shapes.require(op, "k", k, s.kvRows(), s.kvCols());
    Shapes.require(op, "v", v, s.kvRows(), s.kvCols());
  }

  public void swiglu(Tensor gate, Tensor up, Tensor out) {
    Shapes.same("swiglu", "gate", gate, "up", up);
    Shapes.same("swiglu", "gate", gate, "out", out);
  }

  public void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp) {
    String op = "swigluBackward";
    Shapes.same(op, "gate", gate, "up", up);
    Shapes.same(op, "gate", gate, "dOut", dOut);
    Shapes.same(op, "gate", gate, "dGate", dGate);
    Shapes.same(op, "gate", gate, "dUp", dUp);
    disjoint(op, dGate, dUp);
  }

  public void add(Tensor a, Tensor b) {
    Shapes.same("add", "a", a, "b", b);
  }

  public void crossEntropy(Tensor logits, int[] targets, Tensor dLogits) {
    Shapes.ids("crossEntropy", targets, logits.rows(), logits.cols(), true);
    if (dLogits != null) {
      Shapes.same("crossEntropy", "logits", logits, "dLogits", dLogits);
      Shapes.check(storage.sameStart(dLogits, logits) || !storage.overlaps(dLogits, logits),
          "crossEntropy", "dLogits partly overlaps logits; pass logits itself or a separate tensor");
    }
  }

  public void targetLogProbs(Tensor logits, int[] targets) {
    Shapes.ids("targetLogProbs", targets, logits.rows(), logits.cols(), true);
  }

  public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWConfig config, long t) {
    String op = "adamW";
    Shapes.check(t >= 1, op, "step t counts from 1, got " + t);
    Shapes.check(config != null, op, "config is null");
    Shapes.same(op, "param", param, "grad", grad);
    Shapes.same(op, "param", param, "m", m);
    Shapes.same(op, "param", param, "v", v);
    disjoint(op, param, grad, m, v);
    disjoint(op, m, grad, v);
  }

  /**
   * Rejects parallel lists of different lengths (params, grads and moments of an optimizer; the
   * weights and outputs of grouped linear layers).
   */
  public static void sameCount(String op, List<?> first, List<?>... others) {
    for (List<?> o : others) {
      Shapes.check(o.size() == first.size(), op, "lists of " + first.size() + " and " + o.size()
          + " tensors; they must pair up one to one");
    }
  }

  /** Rejects an output that shares elements with any input (optional inputs may be null). */
  private void disjoint(String op, Tensor output, Tensor... inputs) {
    for (Tensor in : inputs) {
      if (in != null && storage.overlaps(output, in)) {
        throw new IllegalArgumentException(op + ": an output overlaps an input; use separate tensors");
      }
    }
  }
}
