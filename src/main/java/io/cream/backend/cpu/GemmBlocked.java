package io.cream.backend.cpu;

import static io.cream.backend.cpu.GemmKernel.MR;
import static io.cream.backend.cpu.GemmKernel.NR;

/**
 * The cache-blocked product for all but the skinniest shapes. For each depth block of KC, op(A)
 * and op(B) are packed into MR-row and NR-column slivers (in parallel), then C is cut into
 * MC×NC_TASK tiles that the workers share out. Inside a tile one B sliver (KC×NR) stays in L1
 * while the tile's A slivers (MC×KC, in L2) stream past it through the micro-kernel.
 */
final class GemmBlocked {
  private GemmBlocked() {}

  /** Depth of one packed block: the B sliver KC×NR must sit in L1. */
  static final int KC = 256;
  /** Rows of C in one compute task (a multiple of MR). */
  static final int MC = 16 * MR;
  /** Columns of C in one compute task (a multiple of NR). */
  static final int NC_TASK = 8 * NR;
  /** Rows of A packed at once, which bounds the packed-A buffer. */
  static final int M_BLOCK = 4096;
  /** Columns of B packed at once, which bounds the packed-B buffer. */
  static final int N_BLOCK = 4096;
  /** Slivers per packing task. */
  private static final int PACK_GROUP = 8;

  static void run(GemmCall g, int workers) {
    GemmWorkspace ws = GemmWorkspace.ofCurrentThread();
    for (int p0 = 0; p0 < g.k(); p0 += KC) {
      int kc = Math.min(KC, g.k() - p0);
      boolean load = g.accumulate() || p0 > 0;
      for (int i0 = 0; i0 < g.m(); i0 += M_BLOCK) {
        int mb = Math.min(M_BLOCK, g.m() - i0);
        float[] ap = ws.packedA(ceil(mb, MR) * MR * kc);
        for (int j0 = 0; j0 < g.n(); j0 += N_BLOCK) {
          int nb = Math.min(N_BLOCK, g.n() - j0);
          float[] bp = ws.packedB(ceil(nb, NR) * NR * kc);
          Block blk = new Block(g, p0, kc, i0, mb, j0, nb, ap, bp, load);
          // A is packed once per (depth, row) block and reused across its column blocks.
          blk.pack(j0 == 0, workers);
          blk.compute(workers);
        }
      }
    }
  }

  /** One depth block × row block × column block of the product, with its packed panels. */
  private record Block(
      GemmCall g, int p0, int kc, int i0, int mb, int j0, int nb,
      float[] ap, float[] bp, boolean load) {

    void pack(boolean packA, int workers) {
      int slA = packA ? ceil(mb, MR) : 0;
      int slB = ceil(nb, NR);
      int tasksA = ceil(slA, PACK_GROUP);
      int tasksB = ceil(slB, PACK_GROUP);
      GemmTasks.run(tasksA + tasksB, workers, t -> {
        if (t < tasksA) {
          int end = Math.min(slA, (t + 1) * PACK_GROUP);
          for (int s = t * PACK_GROUP; s < end; s++) {
            int r = s * MR;
            GemmPack.sliverA(g.transA(), g.a(), g.aOff(), g.lda(),
                i0 + r, Math.min(MR, mb - r), p0, kc, ap, s * MR * kc);
          }
        } else {
          int tb = t - tasksA;
          int end = Math.min(slB, (tb + 1) * PACK_GROUP);
          for (int s = tb * PACK_GROUP; s < end; s++) {
            int col = s * NR;
            GemmPack.sliverB(g.transB(), g.b(), g.bOff(), g.ldb(),
                p0, kc, j0 + col, Math.min(NR, nb - col), bp, s * NR * kc);
          }
        }
      });
    }

    void compute(int workers) {
      int rowTasks = ceil(mb, MC);
      int colTasks = ceil(nb, NC_TASK);
      // Row-major task order: consecutive tasks share an A block.
      GemmTasks.run(rowTasks * colTasks, workers, t -> {
        int r0 = t / colTasks * MC;
        int c0 = t % colTasks * NC_TASK;
        tile(r0, Math.min(mb, r0 + MC), c0, Math.min(nb, c0 + NC_TASK));
      });
    }

    /** Rows [r0, r1) × columns [c0, c1) of this block, relative to (i0, j0). */
    private void tile(int r0, int r1, int c0, int c1) {
      float[] c = g.c();
      int ldc = g.ldc();
      float[] scratch = null;
      for (int col = c0; col < c1; col += NR) {
        int bOff = col / NR * NR * kc;
        int cols = Math.min(NR, c1 - col);
        for (int r = r0; r < r1; r += MR) {
          int aOff = r / MR * MR * kc;
          int cOff = g.cOff() + (i0 + r) * ldc + j0 + col;
          int rows = Math.min(MR, r1 - r);
          if (rows == MR && cols == NR) {
            GemmKernel.tile(kc, ap, aOff, bp, bOff, c, cOff, ldc, load);
          } else {
            if (scratch == null) scratch = new float[MR * NR];
            GemmKernel.edgeTile(kc, ap, aOff, bp, bOff, c, cOff, ldc, rows, cols, load, scratch);
          }
        }
      }
    }
  }

  static int ceil(int x, int d) {
    return (x + d - 1) / d;
  }
}
