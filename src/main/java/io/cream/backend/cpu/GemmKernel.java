package io.cream.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
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
   * C[rows×cols tile at cOff] = (load ? C : 0) + Apanel·Bpanel, where Apanel holds kc groups of MR
   * values at ap[aOff..] and Bpanel kc groups of NR values at bp[bOff..]. Only the first rows
   * rows and cols columns of the tile are written (edges of C); the panels are zero-padded there.
   */
  static void tile(
      int kc, float[] ap, int aOff, float[] bp, int bOff,
      float[] c, int cOff, int ldc, int rows, int cols, boolean load) {
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
    if (rows == MR && cols == NR) {
      storeRow(c00, c01, c, cOff, load);
      storeRow(c10, c11, c, cOff + ldc, load);
      storeRow(c20, c21, c, cOff + 2 * ldc, load);
      storeRow(c30, c31, c, cOff + 3 * ldc, load);
      storeRow(c40, c41, c, cOff + 4 * ldc, load);
      storeRow(c50, c51, c, cOff + 5 * ldc, load);
      storeRow(c60, c61, c, cOff + 6 * ldc, load);
      storeRow(c70, c71, c, cOff + 7 * ldc, load);
      return;
    }
    // Edge tile: masked columns, and only the rows that exist.
    VectorMask<Float> m0 = SPECIES.indexInRange(0, cols);
    VectorMask<Float> m1 = SPECIES.indexInRange(LANES, cols);
    storeRowMasked(c00, c01, c, cOff, load, m0, m1);
    if (rows > 1) storeRowMasked(c10, c11, c, cOff + ldc, load, m0, m1);
    if (rows > 2) storeRowMasked(c20, c21, c, cOff + 2 * ldc, load, m0, m1);
    if (rows > 3) storeRowMasked(c30, c31, c, cOff + 3 * ldc, load, m0, m1);
    if (rows > 4) storeRowMasked(c40, c41, c, cOff + 4 * ldc, load, m0, m1);
    if (rows > 5) storeRowMasked(c50, c51, c, cOff + 5 * ldc, load, m0, m1);
    if (rows > 6) storeRowMasked(c60, c61, c, cOff + 6 * ldc, load, m0, m1);
    if (rows > 7) storeRowMasked(c70, c71, c, cOff + 7 * ldc, load, m0, m1);
  }

  private static void storeRow(FloatVector v0, FloatVector v1, float[] c, int ci, boolean load) {
    if (load) {
      v0 = v0.add(FloatVector.fromArray(SPECIES, c, ci));
      v1 = v1.add(FloatVector.fromArray(SPECIES, c, ci + LANES));
    }
    v0.intoArray(c, ci);
    v1.intoArray(c, ci + LANES);
  }

  private static void storeRowMasked(
      FloatVector v0, FloatVector v1, float[] c, int ci, boolean load,
      VectorMask<Float> m0, VectorMask<Float> m1) {
    if (load) {
      v0 = v0.add(FloatVector.fromArray(SPECIES, c, ci, m0));
      v1 = v1.add(FloatVector.fromArray(SPECIES, c, ci + LANES, m1));
    }
    v0.intoArray(c, ci, m0);
    v1.intoArray(c, ci + LANES, m1);
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
