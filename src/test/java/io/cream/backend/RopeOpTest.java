package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.roundToFloat;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RoPE forward and backward (in place) against {@link Reference64} with CREAM-like position ids:
 * a head, a middle far away and a tail at the very end of a 32K window, so positions are
 * non-contiguous and far beyond the number of rows. The tables are built in float64 and rounded to
 * float; the reference uses the rounded tables, so both see the same rotation. Tolerance 1e-5:
 * each output is two float32 products and a sum.
 */
public abstract class RopeOpTest {
  protected abstract Backend backend();

  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  static long[] creamLikePositions() {
    long[] pos = new long[29];
    for (int i = 0; i < 8; i++) pos[i] = i;
    for (int i = 0; i < 13; i++) pos[8 + i] = 14_269 + i;
    for (int i = 0; i < 8; i++) pos[21 + i] = 32_760 + i;
    return pos;
  }

  static double[] invFreq(int headDim, double base) {
    double[] f = new double[headDim / 2];
    for (int i = 0; i < f.length; i++) f[i] = Math.pow(base, -2.0 * i / headDim);
    return f;
  }

  @ParameterizedTest(name = "headDim={0}")
  @ValueSource(ints = {64, 128, 6})
  void rotatesLikeReferenceAndBackwardIsTheTranspose(int headDim) {
    long[] pos = creamLikePositions();
    int rows = pos.length, heads = 4, kvHeads = 2;
    double[][] cs = Reference64.ropeTables(pos, invFreq(headDim, 10_000));
    double[] cos = roundToFloat(cs[0]), sin = roundToFloat(cs[1]);
    Tensor tcos = upload(be, cos, rows, headDim / 2);
    Tensor tsin = upload(be, sin, rows, headDim / 2);
    int qc = heads * headDim, kc = kvHeads * headDim;
    double[] q = gaussian(headDim, rows * qc, 1);
    double[] k = gaussian(headDim + 1, rows * kc, 1);
    Tensor tq = upload(be, q, rows, qc);
    Tensor tk = upload(be, k, rows, kc);
    be.rope(tq, tk, tcos, tsin, headDim);
    assertClose("q", download(be, tq), Reference64.rope(q, qc, headDim, cos, sin, 1), tol());
    assertClose("k", download(be, tk), Reference64.rope(k, kc, headDim, cos, sin, 1), tol());

    double[] dq = gaussian(headDim + 2, rows * qc, 1);
    double[] dk = gaussian(headDim + 3, rows * kc, 1);
    Tensor tdq = upload(be, dq, rows, qc);
    Tensor tdk = upload(be, dk, rows, kc);
    be.ropeBackward(tdq, tdk, tcos, tsin, headDim);
    assertClose("dq", download(be, tdq), Reference64.rope(dq, qc, headDim, cos, sin, -1), tol());
    assertClose("dk", download(be, tdk), Reference64.rope(dk, kc, headDim, cos, sin, -1), tol());
  }

  @Test
  void rotatesOnlyTheTensorGiven() {
    int rows = 3, headDim = 8;
    double[][] cs = Reference64.ropeTables(new long[] {3, 1000, 7}, invFreq(headDim, 500));
    double[] cos = roundToFloat(cs[0]), sin = roundToFloat(cs[1]);
    double[] k = gaussian(7, rows * headDim, 1);
    Tensor tk = upload(be, k, rows, headDim);
    be.rope(null, tk, upload(be, cos, rows, 4), upload(be, sin, rows, 4), headDim);
    assertClose("k", download(be, tk), Reference64.rope(k, headDim, headDim, cos, sin, 1), tol());
  }

  @Test
  void rejectsBadShapes() {
    Tensor cos = be.zeros(3, 4);
    Tensor q = be.zeros(3, 16);
    assertThrows(IllegalArgumentException.class, () -> be.rope(q, null, cos, be.zeros(3, 4), 6));
    assertThrows(IllegalArgumentException.class, () -> be.rope(be.zeros(2, 16), null, cos, be.zeros(3, 4), 8));
    assertThrows(IllegalArgumentException.class, () -> be.rope(be.zeros(3, 12), null, cos, be.zeros(3, 4), 8));
  }
}
