package io.cream.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class LanesTest {
  @Test
  void expIsAccurateOverTheFloatRange() {
    SplittableRandom rng = new SplittableRandom(1);
    float[] x = new float[Vec.L];
    float[] y = new float[Vec.L];
    double worst = 0;
    for (int trial = 0; trial < 20_000; trial++) {
      for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble(-87, 88.5);
      Lanes.exp(FloatVector.fromArray(Vec.F, x, 0)).intoArray(y, 0);
      for (int i = 0; i < x.length; i++) {
        double want = Math.exp(x[i]);
        worst = Math.max(worst, Math.abs(y[i] - want) / want);
      }
    }
    assertTrue(worst < 4e-7, "worst relative error " + worst);
  }

  @Test
  void expEdgeCases() {
    float[] x = new float[Vec.L];
    float[] special = {0f, -0f, 1f, -1f, -100f, 100f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, 88.7f, -87.3f};
    for (int i = 0; i < x.length; i++) x[i] = special[i % special.length];
    float[] y = new float[Vec.L];
    Lanes.exp(FloatVector.fromArray(Vec.F, x, 0)).intoArray(y, 0);
    for (int i = 0; i < x.length; i++) {
      float want = (float) Math.exp(x[i]);
      if (x[i] < -87.33f) {
        assertEquals(0f, y[i], "exp(" + x[i] + ") flushes to 0 below the normal range");
      } else if (Float.isNaN(want)) {
        assertTrue(Float.isNaN(y[i]), "exp(NaN)");
      } else if (want == 0 || Float.isInfinite(want)) {
        assertEquals(want, y[i], "exp(" + x[i] + ")");
      } else {
        assertEquals(want, y[i], 4e-7 * want, "exp(" + x[i] + ")");
      }
    }
  }

  @Test
  void sumsMatchASequentialSum() {
    SplittableRandom rng = new SplittableRandom(2);
    float[] f = new float[Vec.L];
    double[] d = new double[Vec.D.length()];
    for (int i = 0; i < f.length; i++) f[i] = (float) rng.nextGaussian();
    for (int i = 0; i < d.length; i++) d[i] = rng.nextGaussian();
    double fs = 0, ds = 0;
    for (float v : f) fs += v;
    for (double v : d) ds += v;
    assertEquals(fs, Lanes.sum(FloatVector.fromArray(Vec.F, f, 0)), 1e-5);
    assertEquals(ds, Lanes.sum(DoubleVector.fromArray(Vec.D, d, 0)), 1e-12);
  }
}
