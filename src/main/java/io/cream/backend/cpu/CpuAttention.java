package io.cream.backend.cpu;

import io.cream.backend.AttentionShape;
import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Causal grouped-query attention, forward, flash-attention style: each task owns one (sequence,
 * head, tile of {@link #BQ} queries) and streams over tiles of {@link #BK} keys with an online
 * softmax (running max m and sum l, the output accumulator rescaled by exp(m_old − m_new) when the
 * max grows). Memory is O(T·headDim): the keys transposed once ({@link TransposedHeads}) plus
 * O(tile·headDim) per task; no T × T matrix exists.
 *
 * <p>Tile products run on {@link TileMatmul}. Measured single-threaded on 64×64 tiles (Xeon
 * Sapphire Rapids, AVX-512; CpuAttentionBenchmark): TileMatmul ~90 GFLOP/s for d = 64 and 128,
 * per-pair Vector API dot products 11 (d = 64) and 27 (d = 128), the general {@link Gemm}
 * placeholder ~5 (its per-call threading cannot pay off on a tile anyway).
 *
 * <p>Long prefills (2026-11-25, 2-core Xeon Sapphire Rapids VM shared with other jobs, so CPU seconds
 * are the steadier figure; java -cp target/classes:target/test-classes
 * io.cream.backend.cpu.CpuAttentionBenchmark T heads kvHeads d [backward]), T = 32,768, one
 * sequence: one head of d = 64, forward 1.9 s wall (1.85 CPU-s, 74 GFLOP/s per core), backward
 * 5.0 s; one head group of 4 query heads on 1 kv head, d = 128, forward 12.3 s (90 GFLOP/s per
 * core); 8 heads × 64 (a whole layer of a small model), forward 29 s wall / 19 CPU-s. Extra memory
 * beyond q, k, v, out is one transposed copy of K (V too in the backward) and ~100 KB per worker.
 */
final class CpuAttention {
  /** Query rows per task and key rows per inner tile; BK must be a multiple of 2 vector lengths. */
  static final int BQ = 64;
  static final int BK = 64;

  private CpuAttention() {}

  /** Layout of a tensor pair for one attention call; offsets are into the backing arrays. */
  record Operands(float[] q, int qOff, float[] k, int kOff, float[] v, int vOff) {}

  /**
   * Below this many query rows per key/value head (queryLen · groupSize), scores come from direct
   * dot products: transposing the keys would cost as much as the scores themselves (decode).
   */
  static final int MIN_ROWS_FOR_TRANSPOSE = 8;

  static void forward(AttentionShape s, Operands in, float[] out, int outOff,
      float[] lse, int lseOff) {
    TransposedHeads kt = s.queryLen() * s.groupSize() < MIN_ROWS_FOR_TRANSPOSE ? null
        : TransposedHeads.of(s, in.k(), in.kOff());
    int queryTiles = (s.queryLen() + BQ - 1) / BQ;
    int perTile = s.batch() * s.heads();
    int tasks = queryTiles * perTile;
    Parallel.forRange(tasks, 1, (t0, t1) -> {
      Scratch w = new Scratch(s.headDim());
      for (int t = t0; t < t1; t++) {
        // Heaviest (last) query tiles first so the causal imbalance evens out across workers.
        int tile = queryTiles - 1 - t / perTile;
        int bh = t % perTile;
        queryTile(s, in, kt, bh / s.heads(), bh % s.heads(), tile * BQ, w, out, outOff, lse,
            lseOff);
      }
    });
  }

  /** Per-worker buffers, reused across the tasks a worker runs. */
  static final class Scratch {
    final float[] s = new float[BQ * BK];
    final float[] p = new float[BQ * BK];
    final float[] acc;
    final float[] acc2;
    final float[] m = new float[BQ];
    final double[] l = new double[BQ];

    Scratch(int headDim) {
      acc = new float[Math.max(BQ, BK) * headDim];
      acc2 = new float[Math.max(BQ, BK) * headDim];
    }
  }

  private static void queryTile(AttentionShape s, Operands in, TransposedHeads kt, int b, int h,
      int q0, Scratch w, float[] out, int outOff, float[] lse, int lseOff) {
    int d = s.headDim();
    int qCols = s.queryCols();
    int kvCols = s.kvCols();
    int offset = s.causalOffset();
    float scale = (float) s.scale();
    int qn = Math.min(BQ, s.queryLen() - q0);
    int qBase = in.qOff() + (b * s.queryLen() + q0) * qCols + h * d;
    int kvHead = h / s.groupSize();
    int kBase = in.kOff() + b * s.kvStride() * kvCols + kvHead * d;
    int vBase = in.vOff() + b * s.kvStride() * kvCols + kvHead * d;
    int keyEnd = q0 + qn + offset; // one past the last key the tile's last query sees

    float[] m = w.m;
    double[] l = w.l;
    float[] acc = w.acc;
    java.util.Arrays.fill(m, 0, qn, Float.NEGATIVE_INFINITY);
    java.util.Arrays.fill(l, 0, qn, 0.0);
    java.util.Arrays.fill(acc, 0, qn * d, 0f);

    for (int k0 = 0; k0 < keyEnd; k0 += BK) {
      int kn = Math.min(BK, keyEnd - k0);
      if (kt != null) {
        TileMatmul.mul(qn, BK, d, in.q(), qBase, qCols, 1, kt.data(), kt.offset(b, kvHead, k0),
            kt.ld(), w.s, 0, BK, false);
      } else {
        dotScores(qn, kn, d, in.q(), qBase, qCols, in.k(), kBase + k0 * kvCols, kvCols, w.s);
      }
      for (int r = 0; r < qn; r++) {
        int valid = Math.clamp(q0 + r + offset + 1 - k0, 0, kn);
        int row = r * BK;
        if (valid == 0) {
          java.util.Arrays.fill(w.s, row, row + kn, 0f);
          continue;
        }
        float mNew = Math.max(m[r], Vec.max(w.s, row, valid) * scale);
        double sum = expScaled(w.s, row, valid, scale, mNew);
        java.util.Arrays.fill(w.s, row + valid, row + kn, 0f);
        if (m[r] != mNew) {
          float corr = m[r] == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(m[r] - mNew);
          l[r] *= corr;
          Vec.scale(acc, r * d, d, corr);
          m[r] = mNew;
        }
        l[r] += sum;
      }
      TileMatmul.mul(qn, d, kn, w.s, 0, BK, 1, in.v(), vBase + k0 * kvCols, kvCols,
          acc, 0, d, true);
    }

    for (int r = 0; r < qn; r++) {
      int row = (b * s.queryLen() + q0 + r);
      int o = outOff + row * qCols + h * d;
      float inv = (float) (1.0 / l[r]);
      for (int p = 0; p < d; p++) out[o + p] = acc[r * d + p] * inv;
      lse[lseOff + row * s.heads() + h] = (float) (m[r] + Math.log(l[r]));
    }
  }

  /** s[r·BK + j] = q_r · k_j for r < qn, j < kn, one vector dot product per pair. */
  private static void dotScores(int qn, int kn, int d, float[] q, int qBase, int qCols,
      float[] k, int kBase, int kvCols, float[] s) {
    int end = Vec.F.loopBound(d);
    for (int r = 0; r < qn; r++) {
      int qi = qBase + r * qCols;
      for (int j = 0; j < kn; j++) {
        int ki = kBase + j * kvCols;
        FloatVector acc = FloatVector.zero(Vec.F);
        int p = 0;
        for (; p < end; p += Vec.L) {
          acc = FloatVector.fromArray(Vec.F, q, qi + p)
              .fma(FloatVector.fromArray(Vec.F, k, ki + p), acc);
        }
        float dot = Lanes.sum(acc);
        for (; p < d; p++) dot += q[qi + p] * k[ki + p];
        s[r * BK + j] = dot;
      }
    }
  }

  /**
   * x[i] ← exp(x[i]·scale − shift) for i < n; returns the sum in double. Used with shift = the row
   * max (forward) or the row's log-sum-exp (backward, where the result is the probability).
   */
  static double expScaled(float[] x, int off, int n, float scale, float shift) {
    double sum = 0;
    int i = 0;
    for (int end = Vec.F.loopBound(n); i < end; i += Vec.L) {
      FloatVector e = FloatVector.fromArray(Vec.F, x, off + i)
          .fma(scale, -shift);
      e = Lanes.exp(e);
      e.intoArray(x, off + i);
      sum += Lanes.sum(e);
    }
    for (; i < n; i++) {
      float e = (float) Math.exp(x[off + i] * scale - shift);
      x[off + i] = e;
      sum += e;
    }
    return sum;
  }
}
