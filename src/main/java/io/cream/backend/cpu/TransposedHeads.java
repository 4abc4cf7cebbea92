package io.cream.backend.cpu;

import io.cream.backend.AttentionShape;
import io.cream.util.Parallel;

/**
 * Keys (or values) of every (sequence, kv head) copied once into transposed tiles: for each tile of
 * {@link CpuAttention#BK} keys a contiguous block of headDim rows × BK columns (key index along a
 * row, zero-padded past the last key). That block is what {@link TileMatmul}'s B operand wants for
 * S = Q·Kᵀ. Transposing once per call instead of once per (query tile, key tile) pair removes a
 * strided scalar copy from the inner loop; keeping tiles contiguous (rather than one long
 * headDim × T matrix, whose rows would be a power-of-two distance apart) keeps a tile's rows in
 * distinct L1 sets. Memory: the size of K again, O(T·d).
 */
record TransposedHeads(float[] data, int headDim, int kvHeads, int keyTiles) {
  private static final int BK = CpuAttention.BK;

  /** Transposes rows [0, keyLen) of each sequence of x, laid out as attention's k or v. */
  static TransposedHeads of(AttentionShape s, float[] x, int xOff) {
    int d = s.headDim();
    int keyTiles = (s.keyLen() + BK - 1) / BK;
    long size = (long) s.batch() * s.kvHeads() * keyTiles * d * BK;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("attention keys too large for one CPU array: " + s);
    }
    TransposedHeads t = new TransposedHeads(new float[(int) size], d, s.kvHeads(), keyTiles);
    int kvCols = s.kvCols();
    int perSeq = s.kvHeads() * keyTiles;
    Parallel.forRange(s.batch() * perSeq, 4, (t0, t1) -> {
      for (int task = t0; task < t1; task++) {
        int b = task / perSeq;
        int kvHead = task % perSeq / keyTiles;
        int k0 = task % keyTiles * BK;
        int kn = Math.min(BK, s.keyLen() - k0);
        int src = xOff + (b * s.kvStride() + k0) * kvCols + kvHead * d;
        // Zero padding of the last tile comes from the fresh array.
        TileMatmul.transpose(x, src, kvCols, kn, d, t.data, t.offset(b, kvHead, k0), BK);
      }
    });
    return t;
  }

  /** Row stride of a tile block. */
  int ld() {
    return BK;
  }

  /** Start of the tile block holding keys [k0, k0 + BK) of (sequence b, kvHead); k0 tile-aligned. */
  int offset(int b, int kvHead, int k0) {
    return ((b * kvHeads + kvHead) * keyTiles + k0 / BK) * headDim * BK;
  }
}
