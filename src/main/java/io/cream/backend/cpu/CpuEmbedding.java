package io.cream.backend.cpu;

import io.cream.util.Parallel;

/**
 * Token embedding: a row gather, and its backward, a scatter-add into the table gradient. The
 * scatter is split by columns: a worker owns a column range for every row, so repeated ids never
 * race and the summation order (row order) is deterministic.
 */
final class CpuEmbedding {
  private static final int COLUMN_BLOCK = 128;

  private CpuEmbedding() {}

  static void forward(CpuTensor table, int[] ids, CpuTensor out) {
    int c = table.cols();
    float[] ta = table.array(), oa = out.array();
    int to = table.offset(), oo = out.offset();
    Parallel.forRange(ids.length, 64, (r0, r1) -> {
      for (int r = r0; r < r1; r++) System.arraycopy(ta, to + ids[r] * c, oa, oo + r * c, c);
    });
  }

  static void backward(CpuTensor dOut, int[] ids, CpuTensor dTable) {
    int c = dTable.cols();
    float[] ga = dOut.array(), ta = dTable.array();
    int go = dOut.offset(), to = dTable.offset();
    int blocks = (c + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
    Parallel.forRange(blocks, 1, (b0, b1) -> {
      for (int blk = b0; blk < b1; blk++) {
        int c0 = blk * COLUMN_BLOCK;
        int cn = Math.min(COLUMN_BLOCK, c - c0);
        for (int r = 0; r < ids.length; r++) {
          Vec.add(ta, to + ids[r] * c + c0, ga, go + r * c + c0, cn);
        }
      }
    });
  }
}
