package io.cream.backend.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deterministic replacements for two Vector API operations whose results may differ between the
 * interpreter and JIT-compiled code: reduceLanes(ADD) on floating point (unspecified order) and
 * lanewise(EXP) (SVML when compiled, Math.exp per lane when not). Here every step is a lane-wise
 * add, multiply, fused multiply-add or bit operation, which are exact and identical in both, so a
 * training run gives the same bits whatever the JIT has compiled — what exact resume needs.
 */
final class Lanes {
  private static final VectorSpecies<Float> F = Vec.F;
  private static final VectorSpecies<Double> D = Vec.D;
  private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
  private static final VectorShuffle<Float>[] F_FOLDS = folds(F);
  private static final VectorShuffle<Double>[] D_FOLDS = folds(D);

  private Lanes() {}

  /** Σ lanes in a fixed pairwise order. */
  static float sum(FloatVector v) {
    // Kernels may run a narrower species than the preferred one (GEMM's 256-bit test mode).
    VectorShuffle<Float>[] folds = v.species() == F ? F_FOLDS : folds(v.species());
    for (VectorShuffle<Float> s : folds) v = v.add(v.rearrange(s));
    return v.lane(0);
  }

  /** Σ lanes in a fixed pairwise order. */
  static double sum(DoubleVector v) {
    for (VectorShuffle<Double> s : D_FOLDS) v = v.add(v.rearrange(s));
    return v.lane(0);
  }

  private static final float LOG2E = 1.44269504088896341f;
  private static final float LN2_HI = 0.693359375f; // few mantissa bits: n·LN2_HI is exact
  private static final float LN2_LO = -2.12194440e-4f;
  private static final float ROUND = 12582912f; // 1.5·2²³: adding and subtracting rounds to integer

  /**
   * e^x per lane, within ~2 ulp of the true value for x in [−87.3, 88.7]; 0 below, +∞ above,
   * NaN for NaN. Range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a degree-7 Taylor polynomial.
   */
  static FloatVector exp(FloatVector x) {
    VectorMask<Float> under = x.compare(VectorOperators.LT, -87.33f);
    VectorMask<Float> over = x.compare(VectorOperators.GT, 88.72f);
    FloatVector xc = x.max(-87.33f).min(88.72f);
    FloatVector n = xc.mul(LOG2E).add(ROUND).sub(ROUND);
    FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), xc);
    r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
    FloatVector p = FloatVector.broadcast(F, 1f / 5040);
    p = p.fma(r, FloatVector.broadcast(F, 1f / 720));
    p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
    p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
    p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
    p = p.fma(r, FloatVector.broadcast(F, 0.5f));
    p = p.fma(r, FloatVector.broadcast(F, 1f));
    p = p.fma(r, FloatVector.broadcast(F, 1f));
    // 2ⁿ built in two halves so n = 128 (x near 88.7) does not overflow the exponent field.
    IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0).reinterpretShape(I, 0);
    IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
    FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    FloatVector out = p.mul(s1).mul(s2);
    out = out.blend(0f, under).blend(Float.POSITIVE_INFINITY, over);
    return out.blend(x, x.test(VectorOperators.IS_NAN));
  }

  @SuppressWarnings("unchecked")
  private static <E> VectorShuffle<E>[] folds(VectorSpecies<E> species) {
    int len = species.length();
    int steps = Integer.numberOfTrailingZeros(len);
    VectorShuffle<E>[] out = new VectorShuffle[steps];
    for (int k = 0; k < steps; k++) {
      int half = len >> (k + 1);
      out[k] = VectorShuffle.fromOp(species, i -> i ^ half);
    }
    return out;
  }
}
