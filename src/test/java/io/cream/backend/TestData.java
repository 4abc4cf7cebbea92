package io.cream.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.ToDoubleFunction;

/** Seeded random inputs, float/double conversions and the relative-error checks of the op tests. */
public final class TestData {
  private TestData() {}

  /**
   * n Gaussian values (mean 0, standard deviation std) from a fixed seed, rounded to float so an op
   * (float32) and its float64 reference see exactly the same input; zero has probability 0.
   */
  public static double[] gaussian(long seed, int n, double std) {
    Random r = new Random(seed);
    double[] x = new double[n];
    for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * std);
    return x;
  }

  /** n ids uniform in [0, limit). */
  public static int[] ids(long seed, int n, int limit) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) ids[i] = r.nextInt(limit);
    return ids;
  }

  /** The values rounded to float, then back to double: the reference sees exactly the op's input. */
  public static double[] roundToFloat(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) y[i] = (float) x[i];
    return y;
  }

  /** A new tensor on the backend holding x (rounded to float). */
  public static Tensor upload(Backend be, double[] x, int rows, int cols) {
    return be.upload(toFloat(x), rows, cols);
  }

  /** The tensor's values as doubles. */
  public static double[] download(Backend be, Tensor t) {
    return toDouble(be.download(t));
  }

  public static float[] toFloat(double[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) y[i] = (float) x[i];
    return y;
  }

  public static double[] toDouble(float[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) y[i] = x[i];
    return y;
  }

  /** ‖actual − ref‖ / ‖ref‖; +∞ when anything is NaN or infinite, so such results never pass. */
  public static double relErr(double[] actual, double[] ref) {
    if (actual.length != ref.length) {
      throw new AssertionError("length " + actual.length + " vs reference " + ref.length);
    }
    double num = 0, den = 0;
    for (int i = 0; i < ref.length; i++) {
      if (!Double.isFinite(actual[i]) || !Double.isFinite(ref[i])) return Double.POSITIVE_INFINITY;
      double d = actual[i] - ref[i];
      num += d * d;
      den += ref[i] * ref[i];
    }
    if (den == 0) throw new AssertionError("reference is all zeros: the check would be vacuous");
    return Math.sqrt(num / den);
  }

  public static double relErr(float[] actual, double[] ref) {
    return relErr(toDouble(actual), ref);
  }

  /** Asserts relErr(actual, ref) ≤ tol, naming what was compared. */
  public static void assertClose(String what, float[] actual, double[] ref, double tol) {
    assertClose(what, toDouble(actual), ref, tol);
  }

  public static void assertClose(String what, double[] actual, double[] ref, double tol) {
    double e = relErr(actual, ref);
    assertTrue(e <= tol, what + ": relative error " + e + " exceeds " + tol);
  }

  /** Σ a·b in double. */
  public static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += a[i] * b[i];
    return s;
  }

  /**
   * Central differences of a scalar function at x, every coordinate: (f(x + h) − f(x − h)) / 2h.
   * In float64 with h = 1e-5 and O(1) inputs the truncation error is O(h²·f''') ≈ 1e-10 and the
   * rounding error O(ε·|f|/h) ≈ 1e-10·|f|, so a correct analytic gradient agrees to ~1e-8
   * relative; a wrong formula misses by O(1). Tolerances of 1e-6 separate the two cleanly.
   */
  public static double[] numericGradient(ToDoubleFunction<double[]> f, double[] x) {
    double h = 1e-5;
    double[] g = new double[x.length];
    double[] p = x.clone();
    for (int i = 0; i < x.length; i++) {
      double saved = p[i];
      p[i] = saved + h;
      double up = f.applyAsDouble(p);
      p[i] = saved - h;
      double down = f.applyAsDouble(p);
      p[i] = saved;
      g[i] = (up - down) / (2 * h);
    }
    return g;
  }

  /** The tolerance for central differences against an analytic float64 gradient (see above). */
  public static final double FD_TOL = 1e-6;
}
