// Causal grouped-query attention on tensor cores, forward and backward, for head dims 64 and 128:
// the same flash-attention algorithm, layouts and outputs as attention_fwd.cu / attention_bwd.cu,
// with every tile product on mma.sync m16n8k8 TF32 (fp32 accumulation). Operands stay fp32 in
// global memory. SPLIT = 1 keeps fp32 accuracy with three TF32 products per tile (a·b ≈ hi·hi +
// hi·lo + lo·hi, hi = tf32(a), lo = tf32(a − hi), split as fragments are loaded); SPLIT = 0 is one
// product (TF32 accuracy, ~1e-3), chosen with --tf32.
//
// Fragments of m16n8k8 (g = lane / 4, t = lane % 4): A (16×8) rows g, g+8 × cols t, t+4;
// B (8×8) rows t, t+4 × col g; C (16×8) rows g, g+8 × cols 2t, 2t+1.
// A warp owns 16 rows (queries, or keys in dK/dV). Shared tiles have row strides d + 4 (TC_PS = 36
// for the probability tiles), so the 8 rows × 16 bytes that ldmatrix reads per phase, and the
// 8 rows × 4 columns of a scalar A-fragment load, hit 32 different banks.
//
// Speed (docs/attention-perf-notes.md): with SPLIT = 0 every tile is rounded to TF32 once, as it
// is stored in shared memory, and each 8 × 4 block of an A fragment, and of a B fragment read
// from a row-major tile used transposed, is read with ldmatrix, which delivers 32-bit words as
// m16n8k8 wants them (row lane/4, word lane%4): one ldmatrix.x4 for four scalar loads. At head
// dim 64 the streamed 32-row tiles (K, V in the forward and dQ; Q, dO in dK/dV with one product)
// are fetched into registers one tile ahead, so their global-memory latency overlaps the current
// tile's products. Blocks are ordered so that the longest start first.
#include "attention_tf32_tiles.cuh"

#define TC_BQ 64   // forward, dQ: query rows per block (4 warps × 16)
#define TC_BK 32   // forward, dQ: keys per tile
#define TC_BKV 64  // dK/dV: keys per block (4 warps × 16)
#define TC_BQ2 32  // dK/dV: queries per tile

// Shared: Q [64 × LD], K [32 × LD], V [32 × LD], P [4 × 16 × TC_PS].
// With splits > 1 (few query rows over a long cache, e.g. decoding) blockIdx.z = b·splits + part and
// the block covers keys [part·splitLen, (part + 1)·splitLen) only, writing its normalised partial
// output and log-sum-exp (−inf where it saw no key) to partO / partLse for attention_tc_combine.
template <int D, bool SPLIT>
__device__ void tc_fwd(const float* __restrict__ q, const float* __restrict__ k,
                       const float* __restrict__ v, float* __restrict__ out,
                       float* __restrict__ lse, int heads, int kvHeads, int tq, int tk,
                       int kvStride, float scale, int splits, int splitLen) {
  constexpr int LD = D + 4, ND = D / 8;
  extern __shared__ float tc_smem[];  // not "smem": C++ linkage here, C in the other files
  float* sq = tc_smem;
  float* sk = sq + TC_BQ * LD;
  float* sv = sk + TC_BK * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  float* wp = sv + TC_BK * LD + warp * 16 * TC_PS;
  const int h = blockIdx.y, b = blockIdx.z / splits, part = blockIdx.z - b * splits;
  const int kvh = h / (heads / kvHeads);
  // Causal work grows with the query block: the heaviest blocks of each head start first.
  const int q0 = (gridDim.x - 1 - blockIdx.x) * TC_BQ, offset = tk - tq;
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const float* qBase = q + (long long)b * tq * qCols + (long long)h * D;
  const float* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const float* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * D;
  load_tile<D, SPLIT>(sq, qBase, qCols, q0, TC_BQ, tq);

  const int i0 = q0 + warp * 16 + g, i1 = i0 + 8;
  float o[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  float m0 = neg_inf(), m1 = neg_inf(), l0 = 0.f, l1 = 0.f;
  const int lastRow = min(q0 + TC_BQ, tq) - 1;
  const int keyBegin = part * splitLen;
  const int keyEnd = min(min(tk, lastRow + offset + 1), keyBegin + splitLen);
  constexpr bool AHEAD = D <= 64;  // at D = 128 the staging registers would cost occupancy
  Stage<D> nk, nv;
  if (AHEAD && keyBegin < keyEnd) {
    stage_fetch<D>(nk, kBase, kvCols, keyBegin, keyEnd);
    stage_fetch<D>(nv, vBase, kvCols, keyBegin, keyEnd);
  }

  for (int k0 = keyBegin; k0 < keyEnd; k0 += TC_BK) {
    __syncthreads();  // the previous tiles are no longer read
    if constexpr (AHEAD) {
      stage_put<D, SPLIT>(nk, sk);
      stage_put<D, SPLIT>(nv, sv);
    } else {
      load_tile<D, SPLIT>(sk, kBase, kvCols, k0, TC_BK, keyEnd);
      load_tile<D, SPLIT>(sv, vBase, kvCols, k0, TC_BK, keyEnd);
    }
    __syncthreads();
    if (AHEAD && k0 + TC_BK < keyEnd) {
      stage_fetch<D>(nk, kBase, kvCols, k0 + TC_BK, keyEnd);
      stage_fetch<D>(nv, vBase, kvCols, k0 + TC_BK, keyEnd);
    }
    float s[4][4];
#pragma unroll
    for (int n = 0; n < 4; n++) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < ND; kk++) {
      Tf a[4];
      load_a<SPLIT>(a, sq, LD, warp * 16, kk * 8, lane);
#pragma unroll
      for (int n = 0; n < 4; n += 2) {
        Tf bb[4];
        load_bt2<SPLIT>(bb, sk, LD, n * 8, kk * 8, lane);
        mma<SPLIT>(s[n], a, bb);
        mma<SPLIT>(s[n + 1], a, bb + 2);
      }
    }
    float mx0 = neg_inf(), mx1 = neg_inf();
#pragma unroll
    for (int n = 0; n < 4; n++) {
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const int j = k0 + n * 8 + 2 * t + (e & 1), i = e < 2 ? i0 : i1;
        const bool ok = j < keyEnd && j <= i + offset && i < tq;
        s[n][e] = ok ? s[n][e] * scale : neg_inf();
      }
      mx0 = fmaxf(mx0, fmaxf(s[n][0], s[n][1]));
      mx1 = fmaxf(mx1, fmaxf(s[n][2], s[n][3]));
    }
    const float mn0 = fmaxf(m0, group_max(mx0)), mn1 = fmaxf(m1, group_max(mx1));
    const float alpha0 = mn0 == neg_inf() ? 1.f : expf(m0 - mn0);
    const float alpha1 = mn1 == neg_inf() ? 1.f : expf(m1 - mn1);
    float rs0 = 0.f, rs1 = 0.f;
#pragma unroll
    for (int n = 0; n < 4; n++) {
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const float mn = e < 2 ? mn0 : mn1;
        s[n][e] = mn == neg_inf() ? 0.f : expf(s[n][e] - mn);
      }
      rs0 += s[n][0] + s[n][1];
      rs1 += s[n][2] + s[n][3];
    }
    l0 = l0 * alpha0 + group_sum(rs0);
    l1 = l1 * alpha1 + group_sum(rs1);
    m0 = mn0;
    m1 = mn1;
#pragma unroll
    for (int n = 0; n < ND; n++) {
      o[n][0] *= alpha0;
      o[n][1] *= alpha0;
      o[n][2] *= alpha1;
      o[n][3] *= alpha1;
    }
    __syncwarp();
    store_c<SPLIT>(wp, s, g, t);
    __syncwarp();
    mma_pn<ND, TC_BK / 8, SPLIT>(o, wp, sv, LD, lane);
  }

  store_out_rows<D, false>(o, m0, m1, l0, l1, out, lse, heads, tq, splits, part, b, h, i0, i1,
                           t);
}

// Merges the parts of a split forward: per (row, head) lse = log Σ_p exp(lse_p) and
// out = Σ_p exp(lse_p − lse)·out_p, in part order (deterministic). One warp per (row, head).
extern "C" __global__ void attention_tc_combine(const float* __restrict__ partO,
                                                const float* __restrict__ partLse,
                                                float* __restrict__ out, float* __restrict__ lse,
                                                int rows, int heads, int d, int splits) {
  const long long w = (blockIdx.x * (long long)blockDim.x + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  if (w >= (long long)rows * heads) return;  // whole warps leave together
  const long long stride = (long long)rows * heads;  // between parts
  float m = neg_inf();
  for (int p = lane; p < splits; p += 32) m = fmaxf(m, partLse[p * stride + w]);
  m = warp_max(m);
  float sum = 0.f;
  for (int p = lane; p < splits; p += 32) sum += expf(partLse[p * stride + w] - m);
  const float total = m + logf(warp_sum(sum));
  for (int c = lane; c < d; c += 32) {
    float acc = 0.f;
    for (int p = 0; p < splits; p++) {
      const float weight = expf(partLse[p * stride + w] - total);
      acc += weight * partO[(p * stride + w) * d + c];
    }
    out[w * d + c] = acc;
  }
  if (lane == 0) lse[w] = total;
}

// Shared: Q [64 × LD], dO [64 × LD], K [32 × LD], V [32 × LD], dS [4 × 16 × TC_PS].
template <int D, bool SPLIT>
__device__ void tc_bwd_dq(const float* __restrict__ q, const float* __restrict__ k,
                          const float* __restrict__ v, const float* __restrict__ lse,
                          const float* __restrict__ delta, const float* __restrict__ dout,
                          float* __restrict__ dq, int heads, int kvHeads, int tq, int tk,
                          int kvStride, float scale) {
  constexpr int LD = D + 4, ND = D / 8;
  extern __shared__ float tc_smem[];  // not "smem": C++ linkage here, C in the other files
  float* sq = tc_smem;
  float* sdo = sq + TC_BQ * LD;
  float* sk = sdo + TC_BQ * LD;
  float* sv = sk + TC_BK * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  float* wp = sv + TC_BK * LD + warp * 16 * TC_PS;
  const int h = blockIdx.y, b = blockIdx.z, kvh = h / (heads / kvHeads);
  const int q0 = (gridDim.x - 1 - blockIdx.x) * TC_BQ, offset = tk - tq;  // heaviest first
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const long long qOff = (long long)b * tq * qCols + (long long)h * D;
  const float* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const float* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * D;
  load_tile<D, SPLIT>(sq, q + qOff, qCols, q0, TC_BQ, tq);
  load_tile<D, SPLIT>(sdo, dout + qOff, qCols, q0, TC_BQ, tq);

  const int i0 = q0 + warp * 16 + g, i1 = i0 + 8;
  const float lse0 = i0 < tq ? lse[((long long)b * tq + i0) * heads + h] : 0.f;
  const float lse1 = i1 < tq ? lse[((long long)b * tq + i1) * heads + h] : 0.f;
  const float dl0 = i0 < tq ? delta[((long long)b * tq + i0) * heads + h] : 0.f;
  const float dl1 = i1 < tq ? delta[((long long)b * tq + i1) * heads + h] : 0.f;
  float acc[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
  const int lastRow = min(q0 + TC_BQ, tq) - 1;
  const int keyEnd = min(tk, lastRow + offset + 1);
  constexpr bool AHEAD = D <= 64;  // at D = 128 the staging registers would cost occupancy
  Stage<D> nk, nv;
  if (AHEAD && keyEnd > 0) {
    stage_fetch<D>(nk, kBase, kvCols, 0, keyEnd);
    stage_fetch<D>(nv, vBase, kvCols, 0, keyEnd);
  }

  for (int k0 = 0; k0 < keyEnd; k0 += TC_BK) {
    __syncthreads();
    if constexpr (AHEAD) {
      stage_put<D, SPLIT>(nk, sk);
      stage_put<D, SPLIT>(nv, sv);
    } else {
      load_tile<D, SPLIT>(sk, kBase, kvCols, k0, TC_BK, keyEnd);
      load_tile<D, SPLIT>(sv, vBase, kvCols, k0, TC_BK, keyEnd);
    }
    __syncthreads();
    if (AHEAD && k0 + TC_BK < keyEnd) {
      stage_fetch<D>(nk, kBase, kvCols, k0 + TC_BK, keyEnd);
      stage_fetch<D>(nv, vBase, kvCols, k0 + TC_BK, keyEnd);
    }
    float s[4][4], dp[4][4];
#pragma unroll
    for (int n = 0; n < 4; n++) {
      s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
      dp[n][0] = dp[n][1] = dp[n][2] = dp[n][3] = 0.f;
    }
#pragma unroll
    for (int kk = 0; kk < ND; kk++) {
      Tf a[4], ad[4];
      load_a<SPLIT>(a, sq, LD, warp * 16, kk * 8, lane);
      load_a<SPLIT>(ad, sdo, LD, warp * 16, kk * 8, lane);
#pragma unroll
      for (int n = 0; n < 4; n += 2) {
        Tf bb[4];
        load_bt2<SPLIT>(bb, sk, LD, n * 8, kk * 8, lane);
        mma<SPLIT>(s[n], a, bb);
        mma<SPLIT>(s[n + 1], a, bb + 2);
        load_bt2<SPLIT>(bb, sv, LD, n * 8, kk * 8, lane);
        mma<SPLIT>(dp[n], ad, bb);
        mma<SPLIT>(dp[n + 1], ad, bb + 2);
      }
    }
#pragma unroll
    for (int n = 0; n < 4; n++) {
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const int j = k0 + n * 8 + 2 * t + (e & 1), i = e < 2 ? i0 : i1;
        const bool ok = j < keyEnd && j <= i + offset && i < tq;
        const float p = ok ? expf(s[n][e] * scale - (e < 2 ? lse0 : lse1)) : 0.f;
        s[n][e] = p * (dp[n][e] - (e < 2 ? dl0 : dl1));
      }
    }
    __syncwarp();
    store_c<SPLIT>(wp, s, g, t);
    __syncwarp();
    mma_pn<ND, TC_BK / 8, SPLIT>(acc, wp, sk, LD, lane);
  }

  store_dq_rows<D>(dq, acc, qOff, qCols, scale, i0, i1, tq, t);
}

// Shared: K [64 × LD], V [64 × LD], Q [32 × LD], dO [32 × LD], P/dS [4 × 16 × TC_PS],
// lse [32], delta [32]. A block owns 64 keys of one KV head and walks the queries of every head
// in its group, so dK and dV have one writer each. Grid (kvHeads, batch, key blocks).
template <int D, bool SPLIT>
__device__ void tc_bwd_dkdv(const float* __restrict__ q, const float* __restrict__ k,
                            const float* __restrict__ v, const float* __restrict__ lse,
                            const float* __restrict__ delta, const float* __restrict__ dout,
                            float* __restrict__ dk, float* __restrict__ dv, int heads,
                            int kvHeads, int tq, int tk, int kvStride, float scale) {
  constexpr int LD = D + 4, ND = D / 8;
  extern __shared__ float tc_smem[];  // not "smem": C++ linkage here, C in the other files
  float* sk = tc_smem;
  float* sv = sk + TC_BKV * LD;
  float* sq = sv + TC_BKV * LD;
  float* sdo = sq + TC_BQ2 * LD;
  float* sp = sdo + TC_BQ2 * LD;
  float* slse = sp + 4 * 16 * TC_PS;
  float* sdl = slse + TC_BQ2;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  float* wp = sp + warp * 16 * TC_PS;
  // grid (kvHeads, batch, key blocks): blocks start in grid order, and the first key blocks see
  // the most queries, so the longest blocks of every (head, sequence) start first and none of
  // them is left to run alone at the end.
  const int kvh = blockIdx.x, b = blockIdx.y, group = heads / kvHeads;
  const int j0 = blockIdx.z * TC_BKV, offset = tk - tq;
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const long long kvOff = (long long)b * kvStride * kvCols + (long long)kvh * D;
  load_tile<D, SPLIT>(sk, k + kvOff, kvCols, j0, TC_BKV, tk);
  load_tile<D, SPLIT>(sv, v + kvOff, kvCols, j0, TC_BKV, tk);

  const int r0 = j0 + warp * 16 + g, r1 = r0 + 8;  // this thread's key rows
  float dka[ND][4], dva[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) {
    dka[n][0] = dka[n][1] = dka[n][2] = dka[n][3] = 0.f;
    dva[n][0] = dva[n][1] = dva[n][2] = dva[n][3] = 0.f;
  }
  const int firstQ = max(0, j0 - offset);  // query i sees key j when j ≤ i + offset

  // The (head, query tile) pairs of the group walked as one list, so that the next tile can be
  // fetched ahead; (fh, fi) is the tile fetched next.
  const int perHead = firstQ < tq ? (tq - firstQ + TC_BQ2 - 1) / TC_BQ2 : 0;
  const int tiles = group * perHead;
  // At D = 128, and with three products, the staging registers would spill (measured no gain
  // with three products either).
  constexpr bool AHEAD = D <= 64 && !SPLIT;
  const float* qSeq = q + (long long)b * tq * qCols;
  const float* dSeq = dout + (long long)b * tq * qCols;
  const float* lseSeq = lse + (long long)b * tq * heads;
  const float* dlSeq = delta + (long long)b * tq * heads;
  int fh = kvh * group, fi = firstQ;
  Stage<D> nq, ndo;
  float nlse = 0.f, ndl = 0.f;
  auto fetch = [&]() {
    if constexpr (AHEAD) {
      stage_fetch<D>(nq, qSeq + fh * D, qCols, fi, tq);
      stage_fetch<D>(ndo, dSeq + fh * D, qCols, fi, tq);
    }
    const int i = fi + threadIdx.x;
    const bool mine = threadIdx.x < TC_BQ2 && i < tq;
    nlse = mine ? lseSeq[i * heads + fh] : 0.f;
    ndl = mine ? dlSeq[i * heads + fh] : 0.f;
  };
  if (tiles > 0) fetch();

  for (int tile = 0; tile < tiles; tile++) {
    const int h = fh, i0 = fi;
    fi += TC_BQ2;
    if (fi >= tq) {
      fi = firstQ;
      fh++;
    }
    {
      __syncthreads();
      if constexpr (AHEAD) {
        stage_put<D, SPLIT>(nq, sq);
        stage_put<D, SPLIT>(ndo, sdo);
      } else {
        load_tile<D, SPLIT>(sq, qSeq + h * D, qCols, i0, TC_BQ2, tq);
        load_tile<D, SPLIT>(sdo, dSeq + h * D, qCols, i0, TC_BQ2, tq);
      }
      if (threadIdx.x < TC_BQ2) {
        slse[threadIdx.x] = nlse;
        sdl[threadIdx.x] = ndl;
      }
      __syncthreads();
      if (tile + 1 < tiles) fetch();
      float s[4][4], dp[4][4];
#pragma unroll
      for (int n = 0; n < 4; n++) {
        s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
        dp[n][0] = dp[n][1] = dp[n][2] = dp[n][3] = 0.f;
      }
#pragma unroll
      for (int kk = 0; kk < ND; kk++) {
        Tf a[4], av[4];
        load_a<SPLIT>(a, sk, LD, warp * 16, kk * 8, lane);
        load_a<SPLIT>(av, sv, LD, warp * 16, kk * 8, lane);
#pragma unroll
        for (int n = 0; n < 4; n += 2) {
          Tf bb[4];
          load_bt2<SPLIT>(bb, sq, LD, n * 8, kk * 8, lane);
          mma<SPLIT>(s[n], a, bb);  // Sᵀ = K·Qᵀ
          mma<SPLIT>(s[n + 1], a, bb + 2);
          load_bt2<SPLIT>(bb, sdo, LD, n * 8, kk * 8, lane);
          mma<SPLIT>(dp[n], av, bb);  // dPᵀ = V·dOᵀ
          mma<SPLIT>(dp[n + 1], av, bb + 2);
        }
      }
#pragma unroll
      for (int n = 0; n < 4; n++) {
#pragma unroll
        for (int e = 0; e < 4; e++) {
          const int col = n * 8 + 2 * t + (e & 1), i = i0 + col, j = e < 2 ? r0 : r1;
          const bool ok = i < tq && j < tk && j <= i + offset;
          const float p = ok ? expf(s[n][e] * scale - slse[col]) : 0.f;
          s[n][e] = p;
          dp[n][e] = p * (dp[n][e] - sdl[col]);
        }
      }
      __syncwarp();
      store_c<SPLIT>(wp, s, g, t);
      __syncwarp();
      mma_pn<ND, TC_BQ2 / 8, SPLIT>(dva, wp, sdo, LD, lane);  // dV += Pᵀ·dO
      __syncwarp();
      store_c<SPLIT>(wp, dp, g, t);
      __syncwarp();
      mma_pn<ND, TC_BQ2 / 8, SPLIT>(dka, wp, sq, LD, lane);  // dK += dSᵀ·Q
    }
  }

  store_dkdv_rows<D>(dk, dv, dka, dva, kvOff, kvCols, scale, r0, r1, tk, t);
}

// Resident blocks per SM asked of the register allocator: at D = 64 shared memory allows 5, 3
// and 3 (forward, dQ, dK/dV), at D = 128 two of each.
#define TC_INSTANCES(D, S, NAME, BF, BQ, BKV)                                                                \
  extern "C" __global__ void __launch_bounds__(TC_THREADS, BF)                                 \
      attention_tc_fwd_##NAME(const float* q, const float* k, const float* v, float* out,       \
                              float* lse, int heads, int kvHeads, int tq, int tk, int kvStride, \
                              float scale, int splits, int splitLen) {                          \
    tc_fwd<D, S>(q, k, v, out, lse, heads, kvHeads, tq, tk, kvStride, scale, splits, splitLen); \
  }                                                                                             \
  extern "C" __global__ void __launch_bounds__(TC_THREADS, BQ)                                 \
      attention_tc_dq_##NAME(const float* q, const float* k, const float* v, const float* lse,  \
                             const float* delta, const float* dout, float* dq, int heads,      \
                             int kvHeads, int tq, int tk, int kvStride, float scale) {         \
    tc_bwd_dq<D, S>(q, k, v, lse, delta, dout, dq, heads, kvHeads, tq, tk, kvStride, scale);   \
  }                                                                                             \
  extern "C" __global__ void __launch_bounds__(TC_THREADS, BKV)                                \
      attention_tc_dkdv_##NAME(const float* q, const float* k, const float* v, const float* lse,\
                               const float* delta, const float* dout, float* dk, float* dv,    \
                               int heads, int kvHeads, int tq, int tk, int kvStride,           \
                               float scale) {                                                   \
    tc_bwd_dkdv<D, S>(q, k, v, lse, delta, dout, dk, dv, heads, kvHeads, tq, tk, kvStride,     \
                      scale);                                                                   \
  }

TC_INSTANCES(64, true, d64_x3, 3, 3, 3)
TC_INSTANCES(64, false, d64_x1, 4, 3, 3)
TC_INSTANCES(128, true, d128_x3, 2, 2, 2)
TC_INSTANCES(128, false, d128_x1, 2, 2, 2)
