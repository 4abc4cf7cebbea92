package io.cream.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled heart of {@link Gemm}: an {@link #MR}×{@link #NR} block of C kept in 16
 * vector accumulators while it sums kc rank-1 updates read from packed panels (see
 * {@link GemmPack} for their layout).
 *
 * <p>The vector width is fixed once per JVM: the machine's preferred species unless the system
 * property {@code cream.gemm.species} names a bit width (128, 256 or 512), which lets tests run the
 * same code with narrower vectors. It must be a static final constant: the Vector API only
 * compiles to SIMD instructions when the species is known to the JIT.
 */
final class GemmKernel {
  private GemmKernel() {}

  static final VectorSpecies<Float> SPECIES = speciesFromProperty();
  /** Lanes per vector. */
  static final int LANES = SPECIES.length();
  /** Rows of C per micro-tile: one broadcast of A each. */
  static final int MR = 8;
  /** Columns of C per micro-tile: two vectors. */
  static final int NR = 2 * LANES;

  /**
   * C[MR×NR tile at cOff] = (load ? C : 0) + Apanel·Bpanel, where Apanel holds kc groups of MR
   * values at ap[aOff..] and Bpanel kc groups of NR values at bp[bOff..].
   */
  static void tile(
      int kc, float[] ap, int aOff, float[] bp, int bOff,
      float[] c, int cOff, int ldc, boolean load) {
    FloatVector z = FloatVector.zero(SPECIES);
    FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z;
    FloatVector c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z;
    for (int p = 0; p < kc; p++) {
      int bi = bOff + p * NR;
      int ai = aOff + p * MR;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bp, bi);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bp, bi + LANES);
      FloatVector a = FloatVector.broadcast(SPECIES, ap[ai]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(SPECIES, ap[ai + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(SPECIES, ap[ai + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(SPECIES, ap[ai + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
      a = FloatVector.broadcast(SPECIES, ap[ai + 4]);
      c40 = a.fma(b0, c40);
      c41 = a.fma(b1, c41);
      a = FloatVector.broadcast(SPECIES, ap[ai + 5]);
      c50 = a.fma(b0, c50);
      c51 = a.fma(b1, c51);
      a = FloatVector.broadcast(SPECIES, ap[ai + 6]);
      c60 = a.fma(b0, c60);
      c61 = a.fma(b1, c61);
      a = FloatVector.broadcast(SPECIES, ap[ai + 7]);
      c70 = a.fma(b0, c70);
      c71 = a.fma(b1, c71);
    }
    // C is read only after the loop, so its cache misses overlap the next tile's arithmetic.
    // The stores are written out here rather than in a helper: a helper call the JIT declines
    // to inline (its node budget runs out in this large method) would box the vectors.
    if (load) {
      int o0 = cOff;
      c00.add(FloatVector.fromArray(SPECIES, c, o0)).intoArray(c, o0);
      c01.add(FloatVector.fromArray(SPECIES, c, o0 + LANES)).intoArray(c, o0 + LANES);
      int o1 = cOff + ldc;
      c10.add(FloatVector.fromArray(SPECIES, c, o1)).intoArray(c, o1);
      c11.add(FloatVector.fromArray(SPECIES, c, o1 + LANES)).intoArray(c, o1 + LANES);
      int o2 = cOff + 2 * ldc;
      c20.add(FloatVector.fromArray(SPECIES, c, o2)).intoArray(c, o2);
      c21.add(FloatVector.fromArray(SPECIES, c, o2 + LANES)).intoArray(c, o2 + LANES);
      int o3 = cOff + 3 * ldc;
      c30.add(FloatVector.fromArray(SPECIES, c, o3)).intoArray(c, o3);
      c31.add(FloatVector.fromArray(SPECIES, c, o3 + LANES)).intoArray(c, o3 + LANES);
      int o4 = cOff + 4 * ldc;
      c40.add(FloatVector.fromArray(SPECIES, c, o4)).intoArray(c, o4);
      c41.add(FloatVector.fromArray(SPECIES, c, o4 + LANES)).intoArray(c, o4 + LANES);
      int o5 = cOff + 5 * ldc;
      c50.add(FloatVector.fromArray(SPECIES, c, o5)).intoArray(c, o5);
      c51.add(FloatVector.fromArray(SPECIES, c, o5 + LANES)).intoArray(c, o5 + LANES);
      int o6 = cOff + 6 * ldc;
      c60.add(FloatVector.fromArray(SPECIES, c, o6)).intoArray(c, o6);
      c61.add(FloatVector.fromArray(SPECIES, c, o6 + LANES)).intoArray(c, o6 + LANES);
      int o7 = cOff + 7 * ldc;
      c70.add(FloatVector.fromArray(SPECIES, c, o7)).intoArray(c, o7);
      c71.add(FloatVector.fromArray(SPECIES, c, o7 + LANES)).intoArray(c, o7 + LANES);
    } else {
      c00.intoArray(c, cOff);
      c01.intoArray(c, cOff + LANES);
      c10.intoArray(c, cOff + ldc);
      c11.intoArray(c, cOff + ldc + LANES);
      c20.intoArray(c, cOff + 2 * ldc);
      c21.intoArray(c, cOff + 2 * ldc + LANES);
      c30.intoArray(c, cOff + 3 * ldc);
      c31.intoArray(c, cOff + 3 * ldc + LANES);
      c40.intoArray(c, cOff + 4 * ldc);
      c41.intoArray(c, cOff + 4 * ldc + LANES);
      c50.intoArray(c, cOff + 5 * ldc);
      c51.intoArray(c, cOff + 5 * ldc + LANES);
      c60.intoArray(c, cOff + 6 * ldc);
      c61.intoArray(c, cOff + 6 * ldc + LANES);
      c70.intoArray(c, cOff + 7 * ldc);
      c71.intoArray(c, cOff + 7 * ldc + LANES);
    }
  }

  /**
   * As {@link #tile} for a tile cut by the edge of C: only rows × cols of it exist. The full tile
   * goes to scratch (MR·NR floats) and the existing part is merged into C from there; keeping the
   * main kernel free of masked stores keeps it small enough for the JIT to inline every vector
   * operation (a vector that escapes into a non-inlined call gets boxed, which is ruinously slow).
   */
  static void edgeTile(
      int kc, float[] ap, int aOff, float[] bp, int bOff,
      float[] c, int cOff, int ldc, int rows, int cols, boolean load, float[] scratch) {
    tile(kc, ap, aOff, bp, bOff, scratch, 0, NR, false);
    for (int r = 0; r < rows; r++) {
      int ci = cOff + r * ldc;
      for (int j = 0; j < cols; j++) {
        c[ci + j] = load ? c[ci + j] + scratch[r * NR + j] : scratch[r * NR + j];
      }
    }
  }

  private static VectorSpecies<Float> speciesFromProperty() {
    String bits = System.getProperty("cream.gemm.species", "preferred").trim();
    return switch (bits) {
      case "128" -> FloatVector.SPECIES_128;
      case "256" -> FloatVector.SPECIES_256;
      case "512" -> FloatVector.SPECIES_512;
      default -> FloatVector.SPECIES_PREFERRED;
    };
  }
}
