package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Backend#clipAndAdamW} (global-norm clipping, then AdamW on every tensor) against a
 * float64 reference, against the same step taken op by op, and on a non-finite norm. The tensors
 * have odd sizes, one spans several 16K-element chunks of the GPU kernels, and one parameter is a
 * row view at an offset that is not a multiple of 4 elements (no 16-byte accesses there).
 */
public abstract class ClipAndAdamWOpTest {
  protected abstract Backend backend();

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  /** Row counts × columns of the parameters: small, odd, several chunks, one element. */
  private static final int[][] SHAPES = {{17, 59}, {7, 7023}, {1, 1}, {5, 33}, {64, 64}};

  /** Parameters, gradients and moments on the backend, with their float64 twins. */
  protected final class State {
    public final List<Tensor> p = new ArrayList<>(), g = new ArrayList<>();
    public final List<Tensor> m = new ArrayList<>(), v = new ArrayList<>();
    final List<double[]> p64 = new ArrayList<>(), m64 = new ArrayList<>(), v64 = new ArrayList<>();
    final List<double[]> p0 = new ArrayList<>();

    public State(long seed) {
      for (int i = 0; i < SHAPES.length; i++) {
        int rows = SHAPES[i][0], cols = SHAPES[i][1];
        double[] x = gaussian(seed + i, rows * cols, 1);
        Tensor param;
        if (i == 3) { // a view starting 1 row (33 elements) into a larger tensor
          Tensor whole = upload(be, gaussian(seed + 100, (rows + 2) * cols, 1), rows + 2, cols);
          param = whole.rows(1, rows);
          be.write(param, TestData.toFloat(x));
        } else {
          param = upload(be, x, rows, cols);
        }
        p.add(param);
        g.add(be.zeros(rows, cols));
        m.add(be.zeros(rows, cols));
        v.add(be.zeros(rows, cols));
        p64.add(x.clone());
        p0.add(x.clone());
        m64.add(new double[rows * cols]);
        v64.add(new double[rows * cols]);
      }
    }

    /** Fresh gradients of standard deviation std on both sides. */
    public List<double[]> gradients(long seed, double std) {
      List<double[]> out = new ArrayList<>();
      for (int i = 0; i < SHAPES.length; i++) {
        double[] x = gaussian(seed + i, SHAPES[i][0] * SHAPES[i][1], std);
        be.write(g.get(i), TestData.toFloat(x));
        out.add(x);
      }
      return out;
    }

    /** The reference step; returns the norm before clipping. */
    double referenceStep(List<double[]> grads, AdamWConfig cfg, long t, double maxNorm) {
      double sq = 0;
      for (double[] x : grads) for (double y : x) sq += y * y;
      double norm = Math.sqrt(sq);
      double s = maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
      for (int i = 0; i < grads.size(); i++) {
        double[] gi = grads.get(i).clone();
        for (int k = 0; k < gi.length; k++) gi[k] *= s;
        Reference64.adamW(p64.get(i), gi, m64.get(i), v64.get(i), cfg.lr(), cfg.beta1(),
            cfg.beta2(), cfg.eps(), cfg.weightDecay(), t);
      }
      return norm;
    }

    public float[][] snapshot() {
      float[][] out = new float[3 * p.size()][];
      for (int i = 0; i < p.size(); i++) {
        out[3 * i] = be.download(p.get(i));
        out[3 * i + 1] = be.download(m.get(i));
        out[3 * i + 2] = be.download(v.get(i));
      }
      return out;
    }
  }

  private final AdamWConfig cfg = new AdamWConfig(1e-2f, 0.9f, 0.95f, 1e-8f, 0.1f);

  @Test
  void clippedAndUnclippedStepsMatchReference() {
    State s = new State(1);
    // Total ~54K elements: std 0.5 gives a norm ~116 (clipped to 5), std 0.01 ~2.3 (not clipped).
    double[] stds = {0.5, 0.01, 0.3};
    for (int t = 1; t <= stds.length; t++) {
      List<double[]> grads = s.gradients(10L * t, stds[t - 1]);
      double want = s.referenceStep(grads, cfg, t, 5.0);
      double got = be.clipAndAdamW(s.p, s.g, s.m, s.v, cfg, t, 5.0);
      assertEquals(want, got, 1e-9 * want, "gradient norm at step " + t);
    }
    for (int i = 0; i < SHAPES.length; i++) {
      double[] moved = download(be, s.p.get(i)), refMoved = s.p64.get(i).clone();
      for (int k = 0; k < moved.length; k++) {
        moved[k] -= s.p0.get(i)[k];
        refMoved[k] -= s.p0.get(i)[k];
      }
      assertClose("p − p0 of tensor " + i, moved, refMoved, 1e-5);
      assertClose("m of tensor " + i, be.download(s.m.get(i)), s.m64.get(i), 1e-5);
      assertClose("v of tensor " + i, be.download(s.v.get(i)), s.v64.get(i), 1e-5);
    }
  }

  @Test
  void sameBitsAsSumScaleAndAdamWOneByOne() {
    State fused = new State(2), apart = new State(2);
    for (int t = 1; t <= 2; t++) {
      fused.gradients(20L * t, 0.4);
      apart.gradients(20L * t, 0.4);
      double norm = be.clipAndAdamW(fused.p, fused.g, fused.m, fused.v, cfg, t, 3.0);
      double sq = be.sumOfSquares(apart.g);
      assertEquals(Math.sqrt(sq), norm, "the same sum of squares both ways");
      float scale = (float) (3.0 / Math.sqrt(sq));
      assertTrue(Math.sqrt(sq) > 3.0, "the test must clip");
      for (Tensor x : apart.g) be.scale(x, scale);
      for (int i = 0; i < apart.p.size(); i++) {
        be.adamW(apart.p.get(i), apart.g.get(i), apart.m.get(i), apart.v.get(i), cfg, t);
      }
    }
    float[][] a = fused.snapshot(), b = apart.snapshot();
    for (int i = 0; i < a.length; i++) assertArrayEquals(b[i], a[i], "tensor " + i / 3);
  }

  @Test
  void nonFiniteNormChangesNothing() {
    State s = new State(3);
    s.gradients(30, 0.2);
    be.clipAndAdamW(s.p, s.g, s.m, s.v, cfg, 1, 1.0); // non-zero moments first
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
      s.gradients(31, 0.2);
      float[] g1 = be.download(s.g.get(1));
      g1[777] = bad;
      be.write(s.g.get(1), g1);
      float[][] before = s.snapshot();
      double norm = be.clipAndAdamW(s.p, s.g, s.m, s.v, cfg, 2, 1.0);
      assertTrue(!Double.isFinite(norm), "norm " + norm + " with a " + bad + " gradient");
      float[][] after = s.snapshot();
      for (int i = 0; i < before.length; i++) {
        assertArrayEquals(before[i], after[i], "tensor " + i / 3 + " changed on a " + bad);
      }
    }
  }

  @Test
  void rejectsListsOfDifferentLengths() {
    State s = new State(4);
    assertThrows(IllegalArgumentException.class,
        () -> be.clipAndAdamW(s.p, s.g.subList(0, 2), s.m, s.v, cfg, 1, 1.0));
    assertThrows(IllegalArgumentException.class,
        () -> be.clipAndAdamW(s.p, s.g, s.m, s.v, cfg, 0, 1.0));
  }
}
