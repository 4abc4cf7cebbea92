package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SwiGLU forward and backward against {@link Reference64}, with gates up to ±40 so the sigmoid
 * saturates (where a naive formula would produce inf·0 = NaN). Tolerance 1e-5: a few float32
 * operations per element and exp accurate to an ulp or two.
 */
public abstract class SwiGluOpTest {
  protected abstract Backend backend();

  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  @Test
  void forwardAndBackwardMatchReference() {
    int rows = 7, cols = 149; // 1043 elements: vector body plus a tail
    double[] g = gaussian(1, rows * cols, 3);
    g[5] = 40;
    g[6] = -40;
    g[rows * cols - 1] = -90;
    double[] u = gaussian(2, rows * cols, 1);
    double[] d = gaussian(3, rows * cols, 1);
    Tensor tg = upload(be, g, rows, cols);
    Tensor tu = upload(be, u, rows, cols);
    Tensor out = be.zeros(rows, cols);
    be.swiglu(tg, tu, out);
    assertClose("out", download(be, out), Reference64.swiglu(g, u), tol());
    Tensor dg = be.zeros(rows, cols);
    Tensor du = be.zeros(rows, cols);
    be.swigluBackward(upload(be, d, rows, cols), tg, tu, dg, du);
    double[][] ref = Reference64.swigluBackward(d, g, u);
    assertClose("dGate", download(be, dg), ref[0], tol());
    assertClose("dUp", download(be, du), ref[1], tol());
  }
}
