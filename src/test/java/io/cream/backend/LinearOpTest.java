package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linear forward and backward against {@link Reference64} (backward checked by finite differences
 * in Reference64Test). Gradients that accumulate start from random values, so a backend that
 * overwrites instead of adding fails. Tolerance 1e-5: float32 dot products of ≤ 67 O(1) terms
 * carry ~1e-7 relative error.
 */
public abstract class LinearOpTest {
  protected abstract Backend backend();

  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  @ParameterizedTest(name = "bias={0}")
  @ValueSource(booleans = {false, true})
  void forwardAndBackwardMatchReference(boolean withBias) {
    int n = 37, in = 67, out = 29;
    double[] x = gaussian(1, n * in, 1);
    double[] w = gaussian(2, out * in, 0.2);
    double[] bias = withBias ? gaussian(3, out, 1) : null;
    double[] dy = gaussian(4, n * out, 1);
    Tensor tx = upload(be, x, n, in);
    Tensor tw = upload(be, w, out, in);
    Tensor tb = withBias ? upload(be, bias, 1, out) : null;
    Tensor y = be.zeros(n, out);
    be.linear(tx, tw, tb, y);
    assertClose("y", download(be, y), Reference64.linear(x, in, w, out, bias), tol());

    double[][] ref = Reference64.linearBackward(dy, x, in, w, out);
    double[] dx0 = gaussian(5, n * in, 1);
    double[] dw0 = gaussian(6, out * in, 1);
    double[] db0 = gaussian(7, out, 1);
    Tensor tdy = upload(be, dy, n, out);
    Tensor dx = upload(be, dx0, n, in);
    Tensor dw = upload(be, dw0, out, in);
    Tensor db = withBias ? upload(be, db0, 1, out) : null;
    be.linearBackward(tdy, tx, tw, dx, false, dw, db);
    assertClose("dx", download(be, dx), ref[0], tol());
    assertClose("dw accumulated", download(be, dw), plus(dw0, ref[1]), tol());
    if (withBias) assertClose("dBias accumulated", download(be, db), plus(db0, ref[2]), tol());

    be.write(dx, TestData.toFloat(dx0));
    be.linearBackward(tdy, tx, tw, dx, true, null, null);
    assertClose("dx accumulated", download(be, dx), plus(dx0, ref[0]), tol());
  }

  @Test
  void worksOnRowViews() {
    // Per-layer slices and token windows arrive as row views at a non-zero offset.
    int n = 9, in = 16, out = 5;
    double[] big = gaussian(8, (n + 4) * in, 1);
    double[] w = gaussian(9, 3 * out * in, 1);
    Tensor tBig = upload(be, big, n + 4, in);
    Tensor tw = upload(be, w, 3 * out, in);
    Tensor y = be.zeros(n + 2, out);
    be.linear(tBig.rows(3, n), tw.rows(out, out), null, y.rows(1, n));
    double[] x = java.util.Arrays.copyOfRange(big, 3 * in, (3 + n) * in);
    double[] wMid = java.util.Arrays.copyOfRange(w, out * in, 2 * out * in);
    assertClose("y", download(be, y.rows(1, n)), Reference64.linear(x, in, wMid, out, null), tol());
  }

  @Test
  void rejectsBadShapes() {
    Tensor x = be.zeros(3, 4);
    assertThrows(IllegalArgumentException.class, () -> be.linear(x, be.zeros(5, 3), null, be.zeros(3, 5)));
    assertThrows(IllegalArgumentException.class, () -> be.linear(x, be.zeros(5, 4), null, be.zeros(3, 4)));
    assertThrows(IllegalArgumentException.class,
        () -> be.linear(x, be.zeros(5, 4), be.zeros(1, 4), be.zeros(3, 5)));
  }

  static double[] plus(double[] a, double[] b) {
    double[] c = new double[a.length];
    for (int i = 0; i < a.length; i++) c[i] = a[i] + b[i];
    return c;
  }
}
