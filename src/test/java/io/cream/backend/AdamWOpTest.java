package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AdamW steps against {@link Reference64#adamW} (PyTorch's formula in float64). The parameters are
 * compared through their displacement p − p₀ (comparing p itself would hide a wrong update under
 * the O(1) initial values); m and v directly. Tolerance 1e-5: float32 p carries ~6e-8 absolute
 * error per step against a displacement of ~3e-2, i.e. ~1e-6 relative.
 */
public abstract class AdamWOpTest {
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
  void threeStepsMatchReference() {
    int rows = 17, cols = 59;
    int n = rows * cols;
    AdamWConfig cfg = new AdamWConfig(1e-2f, 0.9f, 0.999f, 1e-8f, 0.1f);
    double[] p0 = gaussian(1, n, 1);
    double[] p = p0.clone(), m = new double[n], v = new double[n];
    Tensor tp = upload(be, p0, rows, cols);
    Tensor tm = be.zeros(rows, cols), tv = be.zeros(rows, cols);
    for (int t = 1; t <= 3; t++) {
      double[] g = gaussian(10 + t, n, 0.5);
      Reference64.adamW(p, g, m, v, cfg.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(),
          cfg.weightDecay(), t);
      be.adamW(tp, upload(be, g, rows, cols), tm, tv, cfg, t);
    }
    double[] got = download(be, tp);
    double[] moved = new double[n], refMoved = new double[n];
    for (int i = 0; i < n; i++) {
      moved[i] = got[i] - p0[i];
      refMoved[i] = p[i] - p0[i];
    }
    assertClose("p − p0", moved, refMoved, tol());
    assertClose("m", download(be, tm), m, tol());
    assertClose("v", download(be, tv), v, tol());
  }

  @Test
  void rejectsStepZeroAndBadSettings() {
    Tensor p = be.zeros(2, 2);
    AdamWConfig cfg = new AdamWConfig(1e-3f, 0.9f, 0.95f, 1e-8f, 0f);
    assertThrows(IllegalArgumentException.class,
        () -> be.adamW(p, be.zeros(2, 2), be.zeros(2, 2), be.zeros(2, 2), cfg, 0));
    assertThrows(IllegalArgumentException.class, () -> new AdamWConfig(1e-3f, 1f, 0.95f, 1e-8f, 0f));
    assertThrows(IllegalArgumentException.class,
        () -> be.adamW(p, be.zeros(2, 3), be.zeros(2, 2), be.zeros(2, 2), cfg, 1));
  }
}
