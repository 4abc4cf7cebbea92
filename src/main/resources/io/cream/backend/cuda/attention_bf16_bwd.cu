// Causal grouped-query attention with bf16 tensor-core operands (--precision bf16), the backward
// (dQ, then dK and dV; the forward is attention_bf16_fwd.cu), head dims 64 and 128: the algorithm,
// grids, block order and outputs of attention_tc.cu, with every tile product on mma.sync m16n8k16
// bf16 × bf16 → fp32. The _cast kernels (the default) read bf16 copies of Q, K, V and dO made by
// the caller; the others read the fp32 tensors and round each tile (nearest even, the same
// rounding) as it is stored in shared memory. Scores, softmax statistics and every accumulator are
// fp32; P and dS are rounded to bf16 only as operands of their products. No atomics: results are
// the same from run to run. Fragment layouts and shared strides: attention_bf16_tiles.cuh.
#include "attention_bf16_tiles.cuh"

// dQ pass, the warp's S and dP tile (16 queries × NT·8 keys from k0) → dS in s: P = 2^(S·s2 −
// lse2) with s2 = scale·log2(e), lse2 = lse·log2(e) per row half. full: no score of the warp's
// tile is masked (checked once per warp, the per-element tests skipped).
template <int NT>
__device__ __forceinline__ void bf_dq_scores(float (*s)[4], const float (*dp)[4], float s2,
                                             float lse20, float lse21, float dl0, float dl1,
                                             bool full, int k0, int i0, int i1, int keyEnd,
                                             int offset, int tq, int t) {
#pragma unroll
  for (int n = 0; n < NT; n++) {
#pragma unroll
    for (int e = 0; e < 4; e++) {
      float x = fmaf(s[n][e], s2, -(e < 2 ? lse20 : lse21));
      if (!full) {
        const int j = k0 + n * 8 + 2 * t + (e & 1), i = e < 2 ? i0 : i1;
        if (!(j < keyEnd && j <= i + offset && i < tq)) x = neg_inf();
      }
      s[n][e] = bf_exp2(x) * (dp[n][e] - (e < 2 ? dl0 : dl1));
    }
  }
}

// dK/dV pass, the warp's Sᵀ and dPᵀ tile (16 keys r0, r1 × NT·8 queries from i0) → P in s and
// dS in dp; slse, sdl: lse and delta of the query tile (lse scaled by log2(e) here).
template <int NT>
__device__ __forceinline__ void bf_dkdv_scores(float (*s)[4], float (*dp)[4], float s2,
                                               const float* slse, const float* sdl, bool full,
                                               int i0, int r0, int r1, int tq, int tk,
                                               int offset, int t) {
#pragma unroll
  for (int n = 0; n < NT; n++) {
#pragma unroll
    for (int e = 0; e < 4; e++) {
      const int col = n * 8 + 2 * t + (e & 1);
      float x = fmaf(s[n][e], s2, -(slse[col] * BF_LOG2E));
      if (!full) {
        const int i = i0 + col, j = e < 2 ? r0 : r1;
        if (!(i < tq && j < tk && j <= i + offset)) x = neg_inf();
      }
      const float p = bf_exp2(x);
      s[n][e] = p;
      dp[n][e] = p * (dp[n][e] - sdl[col]);
    }
  }
}

// Shared (bf16): Q [64 × LD], dO [64 × LD], K [32 × LD], V [32 × LD]; with ASYNC then fp32
// staging K, V [32 × D] each.
template <int D, bool ASYNC>
__device__ void bf_bwd_dq(const float* __restrict__ q, const float* __restrict__ k,
                          const float* __restrict__ v, const float* __restrict__ lse,
                          const float* __restrict__ delta, const float* __restrict__ dout,
                          float* __restrict__ dq, int heads, int kvHeads, int tq, int tk,
                          int kvStride, float scale) {
  constexpr int LD = D + 8, ND = D / 8, NT = BF_BK / 8;
  extern __shared__ __align__(16) bf16 bf_smem[];
  bf16* sq = bf_smem;
  bf16* sdo = sq + BF_BQ * LD;
  bf16* sk = sdo + BF_BQ * LD;
  bf16* sv = sk + BF_BK * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int h = blockIdx.y, b = blockIdx.z, kvh = h / (heads / kvHeads);
  const int q0 = (gridDim.x - 1 - blockIdx.x) * BF_BQ, offset = tk - tq;  // heaviest first
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const long long qOff = (long long)b * tq * qCols + (long long)h * D;
  const float* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const float* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * D;
  bf_load_tile<D>(sq, q + qOff, qCols, q0, BF_BQ, tq);
  bf_load_tile<D>(sdo, dout + qOff, qCols, q0, BF_BQ, tq);

  const int i0 = q0 + warp * 16 + g, i1 = i0 + 8;
  const float lse20 = i0 < tq ? lse[((long long)b * tq + i0) * heads + h] * BF_LOG2E : 0.f;
  const float lse21 = i1 < tq ? lse[((long long)b * tq + i1) * heads + h] * BF_LOG2E : 0.f;
  const float s2 = scale * BF_LOG2E;
  const float dl0 = i0 < tq ? delta[((long long)b * tq + i0) * heads + h] : 0.f;
  const float dl1 = i1 < tq ? delta[((long long)b * tq + i1) * heads + h] : 0.f;
  float acc[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
  const int lastRow = min(q0 + BF_BQ, tq) - 1;
  const int keyEnd = min(tk, lastRow + offset + 1);
  constexpr bool AHEAD = !ASYNC && D <= 64;
  Stage<D> nk, nv;
  float* stk = reinterpret_cast<float*>(sv + BF_BK * LD);
  float* stv = stk + BF_BK * D;
  if (AHEAD && keyEnd > 0) {
    stage_fetch<D>(nk, kBase, kvCols, 0, keyEnd);
    stage_fetch<D>(nv, vBase, kvCols, 0, keyEnd);
  }
  if (ASYNC && keyEnd > 0) {
    bf_async_fetch<D>(stk, kBase, kvCols, 0, keyEnd);
    bf_async_fetch<D>(stv, vBase, kvCols, 0, keyEnd);
    bf_cp_commit();
  }

  for (int k0 = 0; k0 < keyEnd; k0 += BF_BK) {
    if constexpr (ASYNC) bf_cp_wait();
    __syncthreads();
    if constexpr (ASYNC) {
      bf_async_put<D>(stk, sk);
      bf_async_put<D>(stv, sv);
      if (k0 + BF_BK < keyEnd) {
        bf_async_fetch<D>(stk, kBase, kvCols, k0 + BF_BK, keyEnd);
        bf_async_fetch<D>(stv, vBase, kvCols, k0 + BF_BK, keyEnd);
        bf_cp_commit();
      }
    } else if constexpr (AHEAD) {
      bf_stage_put<D>(nk, sk);
      bf_stage_put<D>(nv, sv);
    } else {
      bf_load_tile<D>(sk, kBase, kvCols, k0, BF_BK, keyEnd);
      bf_load_tile<D>(sv, vBase, kvCols, k0, BF_BK, keyEnd);
    }
    __syncthreads();
    if (AHEAD && k0 + BF_BK < keyEnd) {
      stage_fetch<D>(nk, kBase, kvCols, k0 + BF_BK, keyEnd);
      stage_fetch<D>(nv, vBase, kvCols, k0 + BF_BK, keyEnd);
    }
    float s[NT][4], dp[NT][4];
#pragma unroll
    for (int n = 0; n < NT; n++) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
      dp[n][0] = dp[n][1] = dp[n][2] = dp[n][3] = 0.f;
    }
    bf_mma_abt<D, NT>(s, sq, warp * 16, sk, lane);    // S = Q·Kᵀ
    bf_mma_abt<D, NT>(dp, sdo, warp * 16, sv, lane);  // dP = dO·Vᵀ
    const bool full = k0 + BF_BK - 1 <= q0 + warp * 16 + offset && q0 + BF_BQ <= tq;
    bf_dq_scores<NT>(s, dp, s2, lse20, lse21, dl0, dl1, full, k0, i0, i1, keyEnd, offset, tq, t);
    unsigned pa[NT / 2][4];
    bf_pack_a<NT>(pa, s);
    bf_mma_pn<D, NT>(acc, pa, sk, lane);  // dQ += dS·K
  }

  store_dq_rows<D>(dq, acc, qOff, qCols, scale, i0, i1, tq, t);
}

// Shared (bf16): K [64 × LD], V [64 × LD], Q [32 × LD], dO [32 × LD]; then fp32 lse [32],
// delta [32]; with ASYNC then fp32 staging Q, dO [32 × D] each, lse, delta [32] each. A block
// owns 64 keys of one KV head and walks the queries of every head of its group (one writer per dK,
// dV row). Grid (kvHeads, batch, key blocks): the longest blocks start first.
template <int D, bool ASYNC>
__device__ void bf_bwd_dkdv(const float* __restrict__ q, const float* __restrict__ k,
                            const float* __restrict__ v, const float* __restrict__ lse,
                            const float* __restrict__ delta, const float* __restrict__ dout,
                            float* __restrict__ dk, float* __restrict__ dv, int heads,
                            int kvHeads, int tq, int tk, int kvStride, float scale) {
  constexpr int LD = D + 8, ND = D / 8, NT = BF_BQ2 / 8;
  extern __shared__ __align__(16) bf16 bf_smem[];
  bf16* sk = bf_smem;
  bf16* sv = sk + BF_BKV * LD;
  bf16* sq = sv + BF_BKV * LD;
  bf16* sdo = sq + BF_BQ2 * LD;
  float* slse = reinterpret_cast<float*>(sdo + BF_BQ2 * LD);
  float* sdl = slse + BF_BQ2;
  float* stq = sdl + BF_BQ2;
  float* stdo = stq + BF_BQ2 * D;
  float* stlse = stdo + BF_BQ2 * D;
  float* stdl = stlse + BF_BQ2;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int kvh = blockIdx.x, b = blockIdx.y, group = heads / kvHeads;
  const int j0 = blockIdx.z * BF_BKV, offset = tk - tq;
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const long long kvOff = (long long)b * kvStride * kvCols + (long long)kvh * D;
  bf_load_tile<D>(sk, k + kvOff, kvCols, j0, BF_BKV, tk);
  bf_load_tile<D>(sv, v + kvOff, kvCols, j0, BF_BKV, tk);

  const int r0 = j0 + warp * 16 + g, r1 = r0 + 8;  // this thread's key rows
  const float s2 = scale * BF_LOG2E;
  float dka[ND][4], dva[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) {
    dka[n][0] = dka[n][1] = dka[n][2] = dka[n][3] = 0.f;
    dva[n][0] = dva[n][1] = dva[n][2] = dva[n][3] = 0.f;
  }
  const int firstQ = max(0, j0 - offset);  // query i sees key j when j ≤ i + offset
  // The (head, query tile) pairs of the group as one list walked incrementally; (fh, fi) is the
  // tile fetched next.
  const int perHead = firstQ < tq ? (tq - firstQ + BF_BQ2 - 1) / BF_BQ2 : 0;
  const int tiles = group * perHead;
  // Without ASYNC the loads of Q and dO are synchronous: staging them in registers spilled at
  // D = 64 with three resident blocks (P and dS stay in registers here).
  const float* qSeq = q + (long long)b * tq * qCols;
  const float* dSeq = dout + (long long)b * tq * qCols;
  const float* lseSeq = lse + (long long)b * tq * heads;
  const float* dlSeq = delta + (long long)b * tq * heads;
  int fh = kvh * group, fi = firstQ;
  float nlse = 0.f, ndl = 0.f;
  auto fetch = [&]() {
    const int i = fi + threadIdx.x;
    const bool mine = threadIdx.x < BF_BQ2 && i < tq;
    if constexpr (ASYNC) {
      bf_async_fetch<D>(stq, qSeq + fh * D, qCols, fi, tq);
      bf_async_fetch<D>(stdo, dSeq + fh * D, qCols, fi, tq);
      if (threadIdx.x < BF_BQ2) {
        bf_cp4(stlse + threadIdx.x, mine ? lseSeq + i * heads + fh : lseSeq, mine);
        bf_cp4(stdl + threadIdx.x, mine ? dlSeq + i * heads + fh : dlSeq, mine);
      }
      bf_cp_commit();
    } else {
      nlse = mine ? lseSeq[i * heads + fh] : 0.f;
      ndl = mine ? dlSeq[i * heads + fh] : 0.f;
    }
  };
  if (tiles > 0) fetch();

  for (int tile = 0; tile < tiles; tile++) {
    const int h = fh, i0 = fi;
    fi += BF_BQ2;
    if (fi >= tq) {
      fi = firstQ;
      fh++;
    }
    if constexpr (ASYNC) bf_cp_wait();
    __syncthreads();
    if constexpr (ASYNC) {
      bf_async_put<D>(stq, sq);
      bf_async_put<D>(stdo, sdo);
    } else {
      bf_load_tile<D>(sq, qSeq + h * D, qCols, i0, BF_BQ2, tq);
      bf_load_tile<D>(sdo, dSeq + h * D, qCols, i0, BF_BQ2, tq);
    }
    if (threadIdx.x < BF_BQ2) {
      slse[threadIdx.x] = ASYNC ? stlse[threadIdx.x] : nlse;
      sdl[threadIdx.x] = ASYNC ? stdl[threadIdx.x] : ndl;
    }
    __syncthreads();
    if (tile + 1 < tiles) fetch();
    float s[NT][4], dp[NT][4];
#pragma unroll
    for (int n = 0; n < NT; n++) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
      dp[n][0] = dp[n][1] = dp[n][2] = dp[n][3] = 0.f;
    }
    bf_mma_abt<D, NT>(s, sk, warp * 16, sq, lane);    // Sᵀ = K·Qᵀ
    bf_mma_abt<D, NT>(dp, sv, warp * 16, sdo, lane);  // dPᵀ = V·dOᵀ
    const int rowEnd = j0 + warp * 16 + 15;  // the warp's last key
    const bool full = rowEnd <= i0 + offset && i0 + BF_BQ2 <= tq && rowEnd < tk;
    bf_dkdv_scores<NT>(s, dp, s2, slse, sdl, full, i0, r0, r1, tq, tk, offset, t);
    unsigned pa[NT / 2][4], da[NT / 2][4];
    bf_pack_a<NT>(pa, s);
    bf_pack_a<NT>(da, dp);
    bf_mma_pn<D, NT>(dva, pa, sdo, lane);  // dV += Pᵀ·dO
    bf_mma_pn<D, NT>(dka, da, sq, lane);   // dK += dSᵀ·Q
  }

  store_dkdv_rows<D>(dk, dv, dka, dva, kvOff, kvCols, scale, r0, r1, tk, t);
}

// CAST kernels of the backward: Q, K, V and dO arrive as bf16 copies (Bf16Cast, the same
// rounding as the staging above), so tiles go from global to shared memory by cp.async alone, no
// fp32 staging and no conversion. The streamed tiles are double-buffered: one barrier per tile
// both publishes the tile that arrived and frees the buffer the next copy overwrites.

// Shared (bf16): Q [64 × LD], dO [64 × LD], then two buffers of K [32 × LD], V [32 × LD].
template <int D>
__device__ void bf_bwd_dq_cast(const bf16* __restrict__ q, const bf16* __restrict__ k,
                               const bf16* __restrict__ v, const float* __restrict__ lse,
                               const float* __restrict__ delta, const bf16* __restrict__ dout,
                               float* __restrict__ dq, int heads, int kvHeads, int tq, int tk,
                               int kvStride, float scale) {
  constexpr int LD = D + 8, ND = D / 8, NT = BF_BK / 8, BUF = 2 * BF_BK * LD;
  extern __shared__ __align__(16) bf16 bf_smem[];
  bf16* sq = bf_smem;
  bf16* sdo = sq + BF_BQ * LD;
  bf16* kvBuf = sdo + BF_BQ * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int h = blockIdx.y, b = blockIdx.z, kvh = h / (heads / kvHeads);
  const int q0 = (gridDim.x - 1 - blockIdx.x) * BF_BQ, offset = tk - tq;  // heaviest first
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const long long qOff = (long long)b * tq * qCols + (long long)h * D;
  const bf16* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const bf16* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const int lastRow = min(q0 + BF_BQ, tq) - 1;
  const int keyEnd = min(tk, lastRow + offset + 1);
  bf_cp_tile<D>(sq, q + qOff, qCols, q0, BF_BQ, tq);
  bf_cp_tile<D>(sdo, dout + qOff, qCols, q0, BF_BQ, tq);
  if (keyEnd > 0) {
    bf_cp_tile<D>(kvBuf, kBase, kvCols, 0, BF_BK, keyEnd);
    bf_cp_tile<D>(kvBuf + BF_BK * LD, vBase, kvCols, 0, BF_BK, keyEnd);
  }
  bf_cp_commit();

  const int i0 = q0 + warp * 16 + g, i1 = i0 + 8;
  const float lse20 = i0 < tq ? lse[((long long)b * tq + i0) * heads + h] * BF_LOG2E : 0.f;
  const float lse21 = i1 < tq ? lse[((long long)b * tq + i1) * heads + h] * BF_LOG2E : 0.f;
  const float dl0 = i0 < tq ? delta[((long long)b * tq + i0) * heads + h] : 0.f;
  const float dl1 = i1 < tq ? delta[((long long)b * tq + i1) * heads + h] : 0.f;
  const float s2 = scale * BF_LOG2E;
  float acc[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;

  for (int k0 = 0, it = 0; k0 < keyEnd; k0 += BF_BK, it++) {
    const bf16* sk = kvBuf + (it & 1) * BUF;
    const bf16* sv = sk + BF_BK * LD;
    bf_cp_wait();
    __syncthreads();  // this tile arrived everywhere; the other buffer is no longer read
    if (k0 + BF_BK < keyEnd) {
      bf16* nk = kvBuf + ((it + 1) & 1) * BUF;
      bf_cp_tile<D>(nk, kBase, kvCols, k0 + BF_BK, BF_BK, keyEnd);
      bf_cp_tile<D>(nk + BF_BK * LD, vBase, kvCols, k0 + BF_BK, BF_BK, keyEnd);
      bf_cp_commit();
    }
    float s[NT][4], dp[NT][4];
#pragma unroll
    for (int n = 0; n < NT; n++) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
      dp[n][0] = dp[n][1] = dp[n][2] = dp[n][3] = 0.f;
    }
    bf_mma_abt<D, NT>(s, sq, warp * 16, sk, lane);    // S = Q·Kᵀ
    bf_mma_abt<D, NT>(dp, sdo, warp * 16, sv, lane);  // dP = dO·Vᵀ
    const bool full = k0 + BF_BK - 1 <= q0 + warp * 16 + offset && q0 + BF_BQ <= tq;
    bf_dq_scores<NT>(s, dp, s2, lse20, lse21, dl0, dl1, full, k0, i0, i1, keyEnd, offset, tq, t);
    unsigned pa[NT / 2][4];
    bf_pack_a<NT>(pa, s);
    bf_mma_pn<D, NT>(acc, pa, sk, lane);  // dQ += dS·K
  }

  store_dq_rows<D>(dq, acc, qOff, qCols, scale, i0, i1, tq, t);
}

// Shared (bf16): K [64 × LD], V [64 × LD], then two buffers of Q [32 × LD], dO [32 × LD] and
// fp32 lse, delta [32]. Grid and walk as bf_bwd_dkdv.
template <int D>
__device__ void bf_bwd_dkdv_cast(const bf16* __restrict__ q, const bf16* __restrict__ k,
                                 const bf16* __restrict__ v, const float* __restrict__ lse,
                                 const float* __restrict__ delta, const bf16* __restrict__ dout,
                                 float* __restrict__ dk, float* __restrict__ dv, int heads,
                                 int kvHeads, int tq, int tk, int kvStride, float scale) {
  constexpr int LD = D + 8, ND = D / 8, NT = BF_BQ2 / 8;
  constexpr int BUF = 2 * BF_BQ2 * LD + 4 * BF_BQ2;  // in bf16 units: Q, dO, lse, delta
  extern __shared__ __align__(16) bf16 bf_smem[];
  bf16* sk = bf_smem;
  bf16* sv = sk + BF_BKV * LD;
  bf16* qBuf = sv + BF_BKV * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int kvh = blockIdx.x, b = blockIdx.y, group = heads / kvHeads;
  const int j0 = blockIdx.z * BF_BKV, offset = tk - tq;
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const long long kvOff = (long long)b * kvStride * kvCols + (long long)kvh * D;
  bf_cp_tile<D>(sk, k + kvOff, kvCols, j0, BF_BKV, tk);
  bf_cp_tile<D>(sv, v + kvOff, kvCols, j0, BF_BKV, tk);

  const int r0 = j0 + warp * 16 + g, r1 = r0 + 8;  // this thread's key rows
  const float s2 = scale * BF_LOG2E;
  float dka[ND][4], dva[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) {
    dka[n][0] = dka[n][1] = dka[n][2] = dka[n][3] = 0.f;
    dva[n][0] = dva[n][1] = dva[n][2] = dva[n][3] = 0.f;
  }
  const int firstQ = max(0, j0 - offset);  // query i sees key j when j ≤ i + offset
  const int perHead = firstQ < tq ? (tq - firstQ + BF_BQ2 - 1) / BF_BQ2 : 0;
  const int tiles = group * perHead;
  const bf16* qSeq = q + (long long)b * tq * qCols;
  const bf16* dSeq = dout + (long long)b * tq * qCols;
  const float* lseSeq = lse + (long long)b * tq * heads;
  const float* dlSeq = delta + (long long)b * tq * heads;
  int fh = kvh * group, fi = firstQ;  // the tile fetched next
  auto fetch = [&](int buffer) {
    bf16* dst = qBuf + buffer * BUF;
    float* dstLse = reinterpret_cast<float*>(dst + 2 * BF_BQ2 * LD);
    bf_cp_tile<D>(dst, qSeq + fh * D, qCols, fi, BF_BQ2, tq);
    bf_cp_tile<D>(dst + BF_BQ2 * LD, dSeq + fh * D, qCols, fi, BF_BQ2, tq);
    if (threadIdx.x < BF_BQ2) {
      const int i = fi + threadIdx.x;
      const bool mine = i < tq;
      bf_cp4(dstLse + threadIdx.x, mine ? lseSeq + i * heads + fh : lseSeq, mine);
      bf_cp4(dstLse + BF_BQ2 + threadIdx.x, mine ? dlSeq + i * heads + fh : dlSeq, mine);
    }
  };
  if (tiles > 0) fetch(0);
  bf_cp_commit();

  const int rowEnd = j0 + warp * 16 + 15;  // the warp's last key
  for (int tile = 0; tile < tiles; tile++) {
    const int i0 = fi;
    fi += BF_BQ2;
    if (fi >= tq) {
      fi = firstQ;
      fh++;
    }
    const bf16* sq = qBuf + (tile & 1) * BUF;
    const bf16* sdo = sq + BF_BQ2 * LD;
    const float* slse = reinterpret_cast<const float*>(sdo + BF_BQ2 * LD);
    const float* sdl = slse + BF_BQ2;
    bf_cp_wait();
    __syncthreads();  // this tile arrived everywhere; the other buffer is no longer read
    if (tile + 1 < tiles) {
      fetch((tile + 1) & 1);
      bf_cp_commit();
    }
    float s[NT][4], dp[NT][4];
#pragma unroll
    for (int n = 0; n < NT; n++) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
      dp[n][0] = dp[n][1] = dp[n][2] = dp[n][3] = 0.f;
    }
    bf_mma_abt<D, NT>(s, sk, warp * 16, sq, lane);    // Sᵀ = K·Qᵀ
    bf_mma_abt<D, NT>(dp, sv, warp * 16, sdo, lane);  // dPᵀ = V·dOᵀ
    const bool full = rowEnd <= i0 + offset && i0 + BF_BQ2 <= tq && rowEnd < tk;
    bf_dkdv_scores<NT>(s, dp, s2, slse, sdl, full, i0, r0, r1, tq, tk, offset, t);
    unsigned pa[NT / 2][4], da[NT / 2][4];
    bf_pack_a<NT>(pa, s);
    bf_pack_a<NT>(da, dp);
    bf_mma_pn<D, NT>(dva, pa, sdo, lane);  // dV += Pᵀ·dO
    bf_mma_pn<D, NT>(dka, da, sq, lane);   // dK += dSᵀ·Q
  }
  bf_cp_wait();  // nothing in flight at exit (tiles = 0)

  store_dkdv_rows<D>(dk, dv, dka, dva, kvOff, kvCols, scale, r0, r1, tk, t);
}

#define BF_CAST_BWD(D, NAME, BQ, BKV)                                                           \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BQ)                                 \
      attention_bf16_dq_##NAME(const bf16* q, const bf16* k, const bf16* v, const float* lse,  \
                               const float* delta, const bf16* dout, float* dq, int heads,     \
                               int kvHeads, int tq, int tk, int kvStride, float scale) {       \
    bf_bwd_dq_cast<D>(q, k, v, lse, delta, dout, dq, heads, kvHeads, tq, tk, kvStride, scale); \
  }                                                                                             \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BKV)                                \
      attention_bf16_dkdv_##NAME(const bf16* q, const bf16* k, const bf16* v,                  \
                                 const float* lse, const float* delta, const bf16* dout,       \
                                 float* dk, float* dv, int heads, int kvHeads, int tq, int tk, \
                                 int kvStride, float scale) {                                  \
    bf_bwd_dkdv_cast<D>(q, k, v, lse, delta, dout, dk, dv, heads, kvHeads, tq, tk, kvStride,   \
                        scale);                                                                 \
  }

// Resident blocks per SM (dQ, dK/dV). At d = 64 the backward kernels also fit 128 registers
// (4 blocks) unspilled, but measured slower than at 3 (docs/attention-perf-notes.md).
BF_CAST_BWD(64, d64_cast, 3, 3)
BF_CAST_BWD(128, d128_cast, 2, 2)

// Resident blocks per SM asked of the register allocator (dQ, dK/dV). The _async kernels stage
// the next tile with cp.async (fp32, in shared memory), the others in registers (D = 64, except
// dK/dV) or not at all; Bf16AttentionKernels (Java) picks one per pass.
#define BF_BWD_INSTANCES(D, A, NAME, BQ, BKV)                                                   \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BQ)                                 \
      attention_bf16_dq_##NAME(const float* q, const float* k, const float* v,                 \
                               const float* lse, const float* delta, const float* dout,        \
                               float* dq, int heads, int kvHeads, int tq, int tk,              \
                               int kvStride, float scale) {                                    \
    bf_bwd_dq<D, A>(q, k, v, lse, delta, dout, dq, heads, kvHeads, tq, tk, kvStride, scale);   \
  }                                                                                             \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BKV)                                \
      attention_bf16_dkdv_##NAME(const float* q, const float* k, const float* v,               \
                                 const float* lse, const float* delta, const float* dout,      \
                                 float* dk, float* dv, int heads, int kvHeads, int tq, int tk, \
                                 int kvStride, float scale) {                                  \
    bf_bwd_dkdv<D, A>(q, k, v, lse, delta, dout, dk, dv, heads, kvHeads, tq, tk, kvStride,     \
                      scale);                                                                   \
  }

BF_BWD_INSTANCES(64, false, d64, 3, 3)
BF_BWD_INSTANCES(128, false, d128, 2, 2)
BF_BWD_INSTANCES(64, true, d64_async, 3, 3)
BF_BWD_INSTANCES(128, true, d128_async, 2, 2)
