package io.cream.backend.cpu;

import static io.cream.backend.cpu.GemmKernel.MR;
import static io.cream.backend.cpu.GemmKernel.NR;

/**
 * The cache-blocked product for all but the skinniest shapes. For each depth block of KC (and
 * each M_BLOCK rows):
 *
 * <ol>
 *   <li>op(A) is packed into MR-row slivers shared by all workers, in parallel, during the
 *       previous block's phase;
 *   <li>C is cut into column strips (split into row bands too when there are few strips); each
 *       task packs the KC×strip panel of op(B) it needs into its worker's own buffer, where it
 *       stays in L2, then sweeps its rows: one A sliver (MR×KC) sits in L1 while the micro-kernel
 *       walks along the strip, so C is read and written row-wise and the hardware prefetcher can
 *       stream it.
 * </ol>
 *
 * Packing B inside the tasks lets one worker's memory-bound packing overlap another's
 * arithmetic, which matters for the weight-times-activations shapes where B is far larger than
 * A and C.
 */
final class GemmBlocked {
  private GemmBlocked() {}

  /** Depth of one packed block: an A sliver MR×KC must sit in L1, a B panel KC×STRIP in L2. */
  static final int KC = 512;
  /** Columns of C per task (a multiple of NR). */
  static final int STRIP = 8 * NR;
  /** A task gets at least this many rows when strips are split into bands. */
  static final int MIN_BAND = 128;
  /** Rows of A packed at once, which bounds the shared packed-A buffer. */
  static final int M_BLOCK = 4096;
  /** Slivers per packing task. */
  private static final int PACK_GROUP = 8;
  /** Tasks per worker to aim for, so uneven tasks still balance. */
  private static final int TASKS_PER_WORKER = 4;

  static void run(GemmCall g, int workers) {
    GemmWorkspace ws = GemmWorkspace.ofCurrentThread();
    int[] gatherIndex = gatherIndex(g);
    int[] gatherIndexA = GemmPack.gatherIndexA(g.transA(), g.lda());
    // Blocks in order: depth outer, rows inner. A of the next block is packed, into the other of
    // two buffers, by the same parallel phase that computes the current one: one hand-off per
    // block instead of two, and the short packing tasks, queued last, fill the time a worker
    // would otherwise wait for the others to finish their last strip.
    int rowBlocks = ceil(g.m(), M_BLOCK);
    int blocks = ceil(g.k(), KC) * rowBlocks;
    Block current = block(g, 0, rowBlocks, ws, gatherIndex, gatherIndexA);
    current.packAll(workers);
    for (int b = 0; b < blocks; b++) {
      Block next =
          b + 1 < blocks ? block(g, b + 1, rowBlocks, ws, gatherIndex, gatherIndexA) : null;
      current.computeAndPack(next, workers);
      current = next;
    }
  }

  private static Block block(
      GemmCall g, int index, int rowBlocks, GemmWorkspace ws, int[] gatherIndex,
      int[] gatherIndexA) {
    int p0 = index / rowBlocks * KC;
    int i0 = index % rowBlocks * M_BLOCK;
    int kc = Math.min(KC, g.k() - p0);
    int mb = Math.min(M_BLOCK, g.m() - i0);
    float[] ap = ws.packedA(index % 2, ceil(mb, MR) * MR * kc);
    return new Block(g, p0, kc, i0, mb, ap, g.accumulate() || p0 > 0, gatherIndex, gatherIndexA);
  }

  /** Offsets of the NR rows of a transposed B that one gathered sliver row reads. */
  private static int[] gatherIndex(GemmCall g) {
    if (!g.transB()) return null;
    int[] index = new int[NR];
    for (int c = 0; c < NR; c++) index[c] = c * g.ldb();
    return index;
  }

  /** One depth block × row block of the product, with its packed A. */
  private record Block(
      GemmCall g, int p0, int kc, int i0, int mb, float[] ap, boolean load, int[] gatherIndex,
      int[] gatherIndexA) {

    int packTasks() {
      return ceil(ceil(mb, MR), PACK_GROUP);
    }

    /** Packs the A slivers of packing task t: PACK_GROUP slivers of MR rows. */
    void packA(int t) {
      int slivers = ceil(mb, MR);
      int end = Math.min(slivers, (t + 1) * PACK_GROUP);
      for (int s = t * PACK_GROUP; s < end; s++) {
        int r = s * MR;
        GemmPack.sliverA(g.transA(), g.a(), g.aOff(), g.lda(),
            i0 + r, Math.min(MR, mb - r), p0, kc, ap, s * MR * kc, gatherIndexA);
      }
    }

    void packAll(int workers) {
      GemmTasks.run(packTasks(), workers, this::packA);
    }

    /** Computes this block and, in the same parallel phase, packs next's A (when not null). */
    void computeAndPack(Block next, int workers) {
      int strips = ceil(g.n(), STRIP);
      int bands = 1;
      if (strips < TASKS_PER_WORKER * workers) {
        int wanted = ceil(TASKS_PER_WORKER * workers, strips);
        bands = Math.max(1, Math.min(wanted, mb / MIN_BAND));
      }
      // Bands are whole slivers of MR rows.
      int bandRows = ceil(ceil(mb, bands), MR) * MR;
      int nBands = ceil(mb, bandRows);
      int computing = strips * nBands;
      int packing = next == null ? 0 : next.packTasks();
      GemmTasks.run(computing + packing, workers, t -> {
        if (t >= computing) {
          next.packA(t - computing);
          return;
        }
        int c0 = t / nBands * STRIP;
        int r0 = t % nBands * bandRows;
        strip(r0, Math.min(mb, r0 + bandRows), c0, Math.min(g.n(), c0 + STRIP));
      });
    }

    /** Rows [r0, r1) (relative to i0) × columns [c0, c1) of C. */
    private void strip(int r0, int r1, int c0, int c1) {
      int slivers = ceil(c1 - c0, NR);
      float[] bp = GemmWorkspace.ofCurrentThread().packedB(slivers * NR * kc);
      GemmPack.panelB(g.transB(), g.b(), g.bOff(), g.ldb(), p0, kc, c0, c1 - c0, bp,
          gatherIndex);
      float[] c = g.c();
      int ldc = g.ldc();
      float[] scratch = null;
      for (int r = r0; r < r1; r += MR) {
        int aOff = r / MR * MR * kc;
        int rows = Math.min(MR, r1 - r);
        int cRow = g.cOff() + (i0 + r) * ldc;
        for (int s = 0; s < slivers; s++) {
          int col = c0 + s * NR;
          int cols = Math.min(NR, c1 - col);
          if (rows == MR && cols == NR) {
            GemmKernel.tile(kc, ap, aOff, bp, s * NR * kc, c, cRow + col, ldc, load);
          } else {
            if (scratch == null) scratch = new float[MR * NR];
            GemmKernel.edgeTile(kc, ap, aOff, bp, s * NR * kc, c, cRow + col, ldc, rows, cols,
                load, scratch);
          }
        }
      }
    }
  }

  static int ceil(int x, int d) {
    return (x + d - 1) / d;
  }
}
