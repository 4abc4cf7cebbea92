package io.cream.backend;

import static io.cream.backend.LinearOpTest.plus;
import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RMSNorm forward and backward against {@link Reference64}. Tolerance 1e-5: the float32 results
 * are a few roundings away from the float64 ones (the row reductions run in double); the weight
 * gradient sums ≤ 13 rows.
 */
public abstract class NormOpTest {
  protected abstract Backend backend();

  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  @ParameterizedTest(name = "{0}×{1}")
  @CsvSource({"13, 67", "5, 300", "1, 16"})
  void forwardAndBackwardMatchReference(int rows, int cols) {
    double eps = 1e-5;
    double[] x = gaussian(rows * 7L + cols, rows * cols, 2);
    double[] w = gaussian(2, cols, 1);
    double[] dy = gaussian(3, rows * cols, 1);
    Tensor tx = upload(be, x, rows, cols);
    Tensor tw = upload(be, w, 1, cols);
    Tensor y = be.zeros(rows, cols);
    Tensor rstd = be.zeros(rows, 1);
    be.rmsNorm(tx, tw, (float) eps, y, rstd);
    assertClose("y", download(be, y), Reference64.rmsNorm(x, cols, w, eps), tol());
    double[] refRstd = new double[rows];
    for (int r = 0; r < rows; r++) refRstd[r] = Reference64.rstd(x, r, cols, eps);
    assertClose("rstd", download(be, rstd), refRstd, tol());

    double[][] ref = Reference64.rmsNormBackward(dy, x, cols, w, eps);
    double[] dx0 = gaussian(4, rows * cols, 1);
    double[] dw0 = gaussian(5, cols, 1);
    Tensor dx = upload(be, dx0, rows, cols);
    Tensor dw = upload(be, dw0, 1, cols);
    Tensor tdy = upload(be, dy, rows, cols);
    be.rmsNormBackward(tdy, tx, tw, rstd, dx, false, dw);
    assertClose("dx", download(be, dx), ref[0], tol());
    assertClose("dw accumulated", download(be, dw), plus(dw0, ref[1]), tol());

    be.write(dx, TestData.toFloat(dx0));
    be.rmsNormBackward(tdy, tx, tw, rstd, dx, true, null);
    assertClose("dx accumulated", download(be, dx), plus(dx0, ref[0]), tol());
  }

  @Test
  void rejectsBadShapesAndAliasing() {
    Tensor x = be.zeros(3, 8);
    Tensor w = be.zeros(1, 8);
    assertThrows(IllegalArgumentException.class, () -> be.rmsNorm(x, be.zeros(1, 7), 1e-5f, be.zeros(3, 8), be.zeros(3, 1)));
    assertThrows(IllegalArgumentException.class, () -> be.rmsNorm(x, w, 1e-5f, be.zeros(3, 8), be.zeros(1, 3)));
    assertThrows(IllegalArgumentException.class, () -> be.rmsNorm(x, w, 1e-5f, x, be.zeros(3, 1)));
  }
}
