package io.cream.backend.cpu;

import static io.cream.backend.cpu.CpuAttention.BK;
import static io.cream.backend.cpu.CpuAttention.BQ;

import io.cream.backend.AttentionShape;
import io.cream.backend.cpu.CpuAttention.Operands;
import io.cream.backend.cpu.CpuAttention.Scratch;
import io.cream.util.Parallel;
import jdk.incubator.vector.FloatVector;

/**
 * Causal grouped-query attention, backward, flash-attention-2 style: probabilities are recomputed
 * tile by tile from the saved log-sum-exp (P = exp(S/√d − lse)), with D_i = rowsum(dO∘O) and
 * dS = P∘(dP − D). Two passes keep every write private to one task, so no locks or atomics: pass 1
 * owns (sequence, head, query tile) and accumulates dQ = dS·K/√d; pass 2 owns (sequence, kv head,
 * key tile), loops over the queries of every head in its group and accumulates dV = Pᵀ·dO and
 * dK = dSᵀ·Q/√d. The price is computing S and dP twice.
 */
final class CpuAttentionBackward {
  private CpuAttentionBackward() {}

  /** Gradient tensors' arrays and offsets; dk and dv share k's layout. */
  record Grads(float[] dq, int dqOff, float[] dk, int dkOff, float[] dv, int dvOff) {}

  /** The forward's saved outputs and the incoming gradient. */
  record Saved(float[] out, int outOff, float[] lse, int lseOff, float[] dOut, int dOutOff) {}

  static void backward(AttentionShape s, Operands in, Saved saved, Grads g) {
    float[] delta = rowDots(s, saved);
    TransposedHeads kt = TransposedHeads.of(s, in.k(), in.kOff());
    TransposedHeads vt = TransposedHeads.of(s, in.v(), in.vOff());
    int queryTiles = (s.queryLen() + BQ - 1) / BQ;
    int perTile = s.batch() * s.heads();
    Parallel.forRange(queryTiles * perTile, 1, (t0, t1) -> {
      Scratch w = new Scratch(s.headDim());
      for (int t = t0; t < t1; t++) {
        int tile = queryTiles - 1 - t / perTile;
        int bh = t % perTile;
        queryGrad(s, in, kt, vt, saved, delta, bh / s.heads(), bh % s.heads(), tile * BQ, w, g);
      }
    });
    int keyTiles = (s.keyLen() + BK - 1) / BK;
    int perKeyTile = s.batch() * s.kvHeads();
    Parallel.forRange(keyTiles * perKeyTile, 1, (t0, t1) -> {
      Scratch w = new Scratch(s.headDim());
      for (int t = t0; t < t1; t++) {
        // Early key tiles are seen by the most queries: run them first.
        int tile = t / perKeyTile;
        int bh = t % perKeyTile;
        keyValueGrad(s, in, kt, vt, saved, delta, bh / s.kvHeads(), bh % s.kvHeads(), tile * BK, w, g);
      }
    });
  }

  /** D[row·heads + h] = Σ_p dO·O over the head's slice, in double. */
  private static float[] rowDots(AttentionShape s, Saved saved) {
    int rows = s.queryRows();
    int heads = s.heads();
    int d = s.headDim();
    float[] delta = new float[rows * heads];
    Parallel.forRange(rows, 16, (r0, r1) -> {
      for (int r = r0; r < r1; r++) {
        for (int h = 0; h < heads; h++) {
          int o = r * s.queryCols() + h * d;
          delta[r * heads + h] = (float) Vec.dot64(
              saved.dOut(), saved.dOutOff() + o, saved.out(), saved.outOff() + o, d);
        }
      }
    });
    return delta;
  }

  private static void queryGrad(AttentionShape s, Operands in, TransposedHeads kt,
      TransposedHeads vt, Saved saved, float[] delta,
      int b, int h, int q0, Scratch w, Grads g) {
    int d = s.headDim();
    int qCols = s.queryCols();
    int kvCols = s.kvCols();
    int offset = s.causalOffset();
    float scale = (float) s.scale();
    int qn = Math.min(BQ, s.queryLen() - q0);
    int firstRow = b * s.queryLen() + q0;
    int qBase = in.qOff() + firstRow * qCols + h * d;
    int doBase = saved.dOutOff() + firstRow * qCols + h * d;
    int kvHead = h / s.groupSize();
    int kBase = in.kOff() + b * s.kvStride() * kvCols + kvHead * d;
    int keyEnd = q0 + qn + offset;
    float[] dq = w.acc;
    java.util.Arrays.fill(dq, 0, qn * d, 0f);

    for (int k0 = 0; k0 < keyEnd; k0 += BK) {
      int kn = Math.min(BK, keyEnd - k0);
      int kOff = kt.offset(b, kvHead, k0);
      TileMatmul.mul(qn, BK, d, in.q(), qBase, qCols, 1, kt.data(), kOff, kt.ld(),
          w.s, 0, BK, false);
      TileMatmul.mul(qn, BK, d, saved.dOut(), doBase, qCols, 1, vt.data(), kOff, vt.ld(),
          w.p, 0, BK, false);
      scoreGrads(s, saved, delta, firstRow, h, q0, qn, k0, kn, offset, scale, w);
      TileMatmul.mul(qn, d, kn, w.p, 0, BK, 1, in.k(), kBase + k0 * kvCols, kvCols,
          dq, 0, d, true);
    }
    for (int r = 0; r < qn; r++) {
      int o = g.dqOff() + (firstRow + r) * qCols + h * d;
      for (int p = 0; p < d; p++) g.dq()[o + p] = dq[r * d + p] * scale;
    }
  }

  private static void keyValueGrad(AttentionShape s, Operands in, TransposedHeads kt,
      TransposedHeads vt, Saved saved, float[] delta,
      int b, int kvHead, int k0, Scratch w, Grads g) {
    int d = s.headDim();
    int qCols = s.queryCols();
    int kvCols = s.kvCols();
    int offset = s.causalOffset();
    float scale = (float) s.scale();
    int kn = Math.min(BK, s.keyLen() - k0);
    int kvRow = b * s.kvStride() + k0;
    float[] dk = w.acc;
    float[] dv = w.acc2;
    java.util.Arrays.fill(dk, 0, kn * d, 0f);
    java.util.Arrays.fill(dv, 0, kn * d, 0f);
    int tOff = kt.offset(b, kvHead, k0);
    int firstQuery = Math.max(0, k0 - offset); // the first query that sees key k0

    for (int h = kvHead * s.groupSize(); h < (kvHead + 1) * s.groupSize(); h++) {
      for (int q0 = firstQuery; q0 < s.queryLen(); q0 += BQ) {
        int qn = Math.min(BQ, s.queryLen() - q0);
        int firstRow = b * s.queryLen() + q0;
        int qBase = in.qOff() + firstRow * qCols + h * d;
        int doBase = saved.dOutOff() + firstRow * qCols + h * d;
        TileMatmul.mul(qn, BK, d, in.q(), qBase, qCols, 1, kt.data(), tOff, kt.ld(),
            w.s, 0, BK, false);
        TileMatmul.mul(qn, BK, d, saved.dOut(), doBase, qCols, 1, vt.data(), tOff, vt.ld(),
            w.p, 0, BK, false);
        scoreGrads(s, saved, delta, firstRow, h, q0, qn, k0, kn, offset, scale, w);
        // dV += Pᵀ·dO and dK += dSᵀ·Q: read the tiles transposed through A's strides.
        TileMatmul.mul(kn, d, qn, w.s, 0, 1, BK, saved.dOut(), doBase, qCols, dv, 0, d, true);
        TileMatmul.mul(kn, d, qn, w.p, 0, 1, BK, in.q(), qBase, qCols, dk, 0, d, true);
      }
    }
    for (int r = 0; r < kn; r++) {
      int o = (kvRow + r) * kvCols + kvHead * d;
      for (int p = 0; p < d; p++) {
        g.dk()[g.dkOff() + o + p] = dk[r * d + p] * scale;
        g.dv()[g.dvOff() + o + p] = dv[r * d + p];
      }
    }
  }

  /**
   * Turns raw scores w.s into probabilities P (masked entries 0) and w.p, holding dP = dO·Vᵀ, into
   * dS = P∘(dP − D), for columns below kn of each of the qn rows.
   */
  private static void scoreGrads(AttentionShape s, Saved saved, float[] delta, int firstRow,
      int h, int q0, int qn, int k0, int kn, int offset, float scale, Scratch w) {
    for (int r = 0; r < qn; r++) {
      int valid = Math.clamp(q0 + r + offset + 1 - k0, 0, kn);
      int row = r * BK;
      int stat = (firstRow + r) * s.heads() + h;
      float lse = saved.lse()[saved.lseOff() + stat];
      float dRow = delta[stat];
      CpuAttention.expScaled(w.s, row, valid, scale, lse);
      java.util.Arrays.fill(w.s, row + valid, row + kn, 0f);
      int j = 0;
      for (int end = Vec.F.loopBound(valid); j < end; j += Vec.L) {
        FloatVector prob = FloatVector.fromArray(Vec.F, w.s, row + j);
        prob.mul(FloatVector.fromArray(Vec.F, w.p, row + j).sub(dRow)).intoArray(w.p, row + j);
      }
      for (; j < valid; j++) w.p[row + j] = w.s[row + j] * (w.p[row + j] - dRow);
      java.util.Arrays.fill(w.p, row + valid, row + kn, 0f);
    }
  }
}
