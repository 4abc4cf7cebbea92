package io.cream.backend.cpu;

import static io.cream.backend.cpu.GemmKernel.LANES;
import static io.cream.backend.cpu.GemmKernel.MR;
import static io.cream.backend.cpu.GemmKernel.NR;
import static io.cream.backend.cpu.GemmKernel.SPECIES;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Copies slivers of op(A) and op(B) into the order the micro-kernel reads them, so its inner loop
 * walks memory strictly forward whatever the transposes and leading dimensions were:
 *
 * <ul>
 *   <li>an A sliver is MR rows × kc: for each p, the MR values op(A)[i0..i0+MR)[p];
 *   <li>a B sliver is kc × NR columns: for each p, the NR values op(B)[p][j0..j0+NR).
 * </ul>
 *
 * Rows or columns past the edge of the matrix are filled with zeros.
 */
final class GemmPack {
  private GemmPack() {}

  /**
   * Offsets for {@link #sliverA} to gather LANES packed values (LANES/MR steps of p) at once, or
   * null where a vector is narrower than a sliver row (then it copies one value at a time).
   */
  static int[] gatherIndexA(boolean transA, int lda) {
    if (LANES % MR != 0) return null;
    int[] index = new int[LANES];
    for (int i = 0; i < LANES; i++) {
      int r = i % MR, p = i / MR;
      index[i] = transA ? p * lda + r : r * lda + p;
    }
    return index;
  }

  /**
   * Packs op(A)[i0..i0+rows)[p0..p0+kc) (rows ≤ MR) into dst[dOff .. dOff + MR·kc); gatherIndex
   * comes from {@link #gatherIndexA} for the same transA and lda.
   */
  static void sliverA(
      boolean transA, float[] a, int aOff, int lda, int i0, int rows, int p0, int kc,
      float[] dst, int dOff, int[] gatherIndex) {
    if (rows < MR) Arrays.fill(dst, dOff, dOff + MR * kc, 0f);
    int p = 0;
    if (rows == MR && gatherIndex != null) {
      // One gather fills the sliver for LANES/MR consecutive p (the transpose of 8 rows when A is
      // stored m×k), far cheaper than moving the values one by one.
      int steps = LANES / MR;
      int src = transA ? aOff + p0 * lda + i0 : aOff + i0 * lda + p0;
      int stride = transA ? steps * lda : steps;
      for (; p + steps <= kc; p += steps, src += stride) {
        FloatVector.fromArray(SPECIES, a, src, gatherIndex, 0).intoArray(dst, dOff + p * MR);
      }
    }
    for (; p < kc; p++) {
      for (int r = 0; r < rows; r++) {
        dst[dOff + p * MR + r] = opA(transA, a, aOff, lda, i0 + r, p0 + p);
      }
    }
  }

  private static float opA(boolean transA, float[] a, int aOff, int lda, int i, int p) {
    return transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
  }

  /**
   * Packs op(B)[p0..p0+kc)[j0..j0+cols) into ceil(cols/NR) consecutive slivers at dst[0..]. When
   * B is transposed, gatherIndex holds c·ldb for c < NR.
   */
  static void panelB(
      boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int cols,
      float[] dst, int[] gatherIndex) {
    int slivers = (cols + NR - 1) / NR;
    if (cols % NR != 0) {
      int last = (slivers - 1) * NR * kc;
      Arrays.fill(dst, last, last + NR * kc, 0f);
    }
    if (transB) {
      for (int s = 0; s < slivers; s++) {
        transposedSliverB(b, bOff, ldb, p0, kc, j0 + s * NR, Math.min(NR, cols - s * NR), dst,
            s * NR * kc, gatherIndex);
      }
      return;
    }
    // Stored k×n: read each row of the panel front to back (long contiguous runs keep the
    // hardware prefetcher busy) and deal it out to the slivers, two vectors each.
    int full = cols / NR;
    int rest = cols - full * NR;
    for (int p = 0; p < kc; p++) {
      int src = bOff + (p0 + p) * ldb + j0;
      int d = p * NR;
      for (int s = 0; s < full; s++, src += NR, d += NR * kc) {
        FloatVector.fromArray(SPECIES, b, src).intoArray(dst, d);
        FloatVector.fromArray(SPECIES, b, src + LANES).intoArray(dst, d + LANES);
      }
      if (rest > 0) System.arraycopy(b, src, dst, d, rest);
    }
  }

  /** One sliver of a B stored n×k (a weight matrix in out×in layout): a transpose. */
  private static void transposedSliverB(
      float[] b, int bOff, int ldb, int p0, int kc, int j0, int cols, float[] dst, int dOff,
      int[] gatherIndex) {
    if (cols == NR) {
      // Each p gathers one value from each of the NR rows; reading all NR rows at once keeps
      // many cache misses in flight.
      int src = bOff + j0 * ldb + p0;
      for (int p = 0; p < kc; p++) {
        int d = dOff + p * NR;
        FloatVector.fromArray(SPECIES, b, src + p, gatherIndex, 0).intoArray(dst, d);
        FloatVector.fromArray(SPECIES, b, src + p, gatherIndex, LANES).intoArray(dst, d + LANES);
      }
      return;
    }
    for (int col = 0; col < cols; col++) {
      int src = bOff + (j0 + col) * ldb + p0;
      int d = dOff + col;
      for (int p = 0; p < kc; p++, d += NR) dst[d] = b[src + p];
    }
  }
}
