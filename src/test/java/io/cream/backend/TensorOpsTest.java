package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.toFloat;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tensor management (upload, download, views, copies, fill, close) and the whole-tensor
 * elementwise ops. Data moves are checked for exact equality; add, scale and the sum of squares
 * against float64 (a float32 add or product is one rounding, 6e-8 relative; the sum of squares
 * accumulates in double, so it must match to 1e-12).
 */
public abstract class TensorOpsTest {
  protected abstract Backend backend();

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  @Test
  void uploadDownloadWriteAndRows() {
    float[] data = toFloat(gaussian(1, 6 * 5, 1));
    Tensor t = be.upload(data, 6, 5);
    assertEquals(6, t.rows());
    assertEquals(5, t.cols());
    assertEquals(30, t.size());
    float first = data[0];
    data[0] = 99f; // the tensor holds its own copy
    assertEquals(first, be.download(t)[0]);
    data[0] = first;
    assertArrayEquals(data, be.download(t));
    assertArrayEquals(Arrays.copyOfRange(data, 10, 20), be.download(t.rows(2, 2)));
    float[] other = toFloat(gaussian(2, 30, 1));
    be.write(t, other);
    assertArrayEquals(other, be.download(t));
    assertArrayEquals(new float[12], be.download(be.zeros(3, 4)));
    assertThrows(IllegalArgumentException.class, () -> be.upload(new float[5], 2, 3));
    assertThrows(IllegalArgumentException.class, () -> be.write(t, new float[29]));
  }

  @Test
  void viewsShareStorageAndCopyRowsAppendsToACache() {
    int cols = 7;
    Tensor cache = be.zeros(10, cols);
    float[] step = toFloat(gaussian(3, 3 * cols, 1));
    Tensor fresh = be.upload(step, 3, cols);
    be.copyRows(fresh, 1, cache, 4, 2); // append rows 1..2 at cache rows 4..5
    float[] got = be.download(cache);
    float[] want = new float[10 * cols];
    System.arraycopy(step, cols, want, 4 * cols, 2 * cols);
    assertArrayEquals(want, got);

    Tensor view = cache.rows(4, 3);
    assertTrue(view.isView());
    assertFalse(cache.isView());
    Tensor inner = view.rows(1, 1); // cache row 5
    be.fill(inner, 2.5f);
    Arrays.fill(want, 5 * cols, 6 * cols, 2.5f);
    assertArrayEquals(want, be.download(cache));

    Tensor dst = be.zeros(3, cols);
    be.copy(view, dst);
    assertArrayEquals(Arrays.copyOfRange(want, 4 * cols, 7 * cols), be.download(dst));
    be.zero(view);
    Arrays.fill(want, 4 * cols, 7 * cols, 0f);
    assertArrayEquals(want, be.download(cache));
    assertThrows(IllegalArgumentException.class, () -> cache.rows(8, 3));
    assertThrows(IllegalArgumentException.class, () -> be.copy(view, be.zeros(2, cols)));
  }

  @Test
  void closedTensorsAndTheirViewsCannotBeUsed() {
    Tensor t = be.zeros(4, 4);
    Tensor view = t.rows(1, 2);
    view.close(); // a view owns nothing: t stays usable
    be.fill(t, 1f);
    t.close();
    t.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> be.download(t));
    assertThrows(IllegalStateException.class, () -> be.fill(view, 0f));
  }

  @Test
  void addScaleAndSumOfSquaresMatchFloat64() {
    int rows = 3, cols = 33_335; // 100,005 elements: several parallel blocks plus a tail
    double[] a = gaussian(4, rows * cols, 1);
    double[] b = gaussian(5, rows * cols, 1);
    Tensor ta = upload(be, a, rows, cols);
    be.add(ta, upload(be, b, rows, cols));
    double[] sum = new double[a.length];
    for (int i = 0; i < a.length; i++) sum[i] = a[i] + b[i];
    assertClose("a + b", download(be, ta), sum, 1e-7);
    be.scale(ta, -0.37f);
    for (int i = 0; i < sum.length; i++) sum[i] = (float) sum[i] * (double) -0.37f;
    assertClose("scaled", download(be, ta), sum, 1e-7);

    double ref = 0;
    for (double x : a) ref += x * x;
    assertEquals(ref, be.sumOfSquares(upload(be, a, rows, cols)), ref * 1e-12);
    double[] c = gaussian(6, 77, 3);
    double refBoth = ref;
    for (double x : c) refBoth += x * x;
    double both = be.sumOfSquares(List.of(upload(be, a, rows, cols), upload(be, c, 7, 11)));
    assertEquals(refBoth, both, refBoth * 1e-12);
    assertThrows(IllegalArgumentException.class, () -> be.add(ta, be.zeros(cols, rows)));
  }
}
