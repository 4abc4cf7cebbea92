package io.cream.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector API loops over contiguous float runs, shared by the CPU ops. */
final class Vec {
  static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  static final int L = F.length();
  /** Doubles of the same bit width: one float vector widens into two of these. */
  static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

  private Vec() {}

  /** Σ a[i]·b[i] over n elements, products and sum in double. */
  static double dot64(float[] a, int aOff, float[] b, int bOff, int n) {
    DoubleVector acc0 = DoubleVector.zero(D), acc1 = DoubleVector.zero(D);
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      acc0 = widen(va, 0).fma(widen(vb, 0), acc0);
      acc1 = widen(va, 1).fma(widen(vb, 1), acc1);
    }
    double s = Lanes.sum(acc0.add(acc1));
    for (; i < n; i++) s += (double) a[aOff + i] * b[bOff + i];
    return s;
  }

  /** Σ a[i]² over n elements, in double. */
  static double sumSquares64(float[] a, int off, int n) {
    return dot64(a, off, a, off, n);
  }

  /** Σ a[i] over n elements, in double. */
  static double sum64(float[] a, int off, int n) {
    DoubleVector acc0 = DoubleVector.zero(D), acc1 = DoubleVector.zero(D);
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, off + i);
      acc0 = acc0.add(widen(va, 0));
      acc1 = acc1.add(widen(va, 1));
    }
    double s = Lanes.sum(acc0.add(acc1));
    for (; i < n; i++) s += a[off + i];
    return s;
  }

  /** Largest of a[off .. off+n); -∞ when n is 0; a NaN anywhere gives NaN. */
  static float max(float[] a, int off, int n) {
    FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      m = m.max(FloatVector.fromArray(F, a, off + i));
    }
    float r = m.reduceLanes(VectorOperators.MAX);
    for (; i < n; i++) r = Math.max(r, a[off + i]);
    return r;
  }

  /** a[i] ← a[i]·s over n elements. */
  static void scale(float[] a, int off, int n, float s) {
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector.fromArray(F, a, off + i).mul(s).intoArray(a, off + i);
    }
    for (; i < n; i++) a[off + i] *= s;
  }

  /** y[i] += x[i] over n elements. */
  static void add(float[] y, int yOff, float[] x, int xOff, int n) {
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i))
          .intoArray(y, yOff + i);
    }
    for (; i < n; i++) y[yOff + i] += x[xOff + i];
  }

  /** e ← exp(x − shift) over n elements (e may be x); returns Σ e in double. */
  static double expShifted(float[] x, int xOff, float[] e, int eOff, int n, float shift) {
    double s = 0;
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector v = Lanes.exp(FloatVector.fromArray(F, x, xOff + i).sub(shift));
      if (e != null) v.intoArray(e, eOff + i);
      s += Lanes.sum(v);
    }
    for (; i < n; i++) {
      float v = (float) Math.exp(x[xOff + i] - shift);
      if (e != null) e[eOff + i] = v;
      s += v;
    }
    return s;
  }

  private static DoubleVector widen(FloatVector v, int part) {
    return (DoubleVector) v.convertShape(VectorOperators.F2D, D, part);
  }
}
