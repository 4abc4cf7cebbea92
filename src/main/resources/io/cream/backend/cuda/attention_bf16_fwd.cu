// Causal grouped-query attention with bf16 tensor-core operands (--precision bf16), the forward
// (the backward is attention_bf16_bwd.cu), head dims 64 and 128: the algorithm, grids, block
// order, outputs and lse contract of attention_tc.cu, with every tile product on mma.sync m16n8k16
// bf16 × bf16 → fp32. The _cast kernels (the default) read bf16 copies of Q, K, V made by the
// caller; the others read the fp32 tensors and round each tile (nearest even, the same rounding)
// as it is stored in shared memory, so a tile takes half the space of attention_tc.cu's. Scores,
// softmax statistics, the rescaling of the output and every accumulator are fp32; P is rounded to
// bf16 only as an operand of its product. No atomics: results are the same from run to run.
// Fragment layouts and shared strides: attention_bf16_tiles.cuh.
#include "attention_bf16_tiles.cuh"

// One 32-key tile of the forward for the warp's 16 rows: S = Q·Kᵀ, online softmax in base 2
// (m0, m1 in log2 units, l0, l1 the running sums), O += P·V with P from registers.
template <int D>
__device__ __forceinline__ void bf_fwd_tile(float (*o)[4], float& m0, float& m1, float& l0,
                                            float& l1, const bf16* sq, const bf16* sk,
                                            const bf16* sv, float s2, int k0, int keyEnd, int i0,
                                            int i1, int offset, int tq, int warp, int lane) {
  constexpr int ND = D / 8, NT = BF_BK / 8;
  const int t = lane & 3;
  float s[NT][4];
#pragma unroll
  for (int n = 0; n < NT; n++) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
  bf_mma_abt<D, NT>(s, sq, warp * 16, sk, lane);
  // Scores in log2 units (scale·log2(e)), and so are m0, m1. (Skipping the masks of interior
  // tiles as the backward does costs the forward a spill at its register cap.)
  float mx0 = neg_inf(), mx1 = neg_inf();
#pragma unroll
  for (int n = 0; n < NT; n++) {
#pragma unroll
    for (int e = 0; e < 4; e++) {
      const int j = k0 + n * 8 + 2 * t + (e & 1), i = e < 2 ? i0 : i1;
      const bool ok = j < keyEnd && j <= i + offset && i < tq;
      s[n][e] = ok ? s[n][e] * s2 : neg_inf();
    }
    mx0 = fmaxf(mx0, fmaxf(s[n][0], s[n][1]));
    mx1 = fmaxf(mx1, fmaxf(s[n][2], s[n][3]));
  }
  const float mn0 = fmaxf(m0, group_max(mx0)), mn1 = fmaxf(m1, group_max(mx1));
  const float alpha0 = mn0 == neg_inf() ? 1.f : bf_exp2(m0 - mn0);
  const float alpha1 = mn1 == neg_inf() ? 1.f : bf_exp2(m1 - mn1);
  float rs0 = 0.f, rs1 = 0.f;
#pragma unroll
  for (int n = 0; n < NT; n++) {
#pragma unroll
    for (int e = 0; e < 4; e++) {
      const float mn = e < 2 ? mn0 : mn1;
      s[n][e] = mn == neg_inf() ? 0.f : bf_exp2(s[n][e] - mn);
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
  unsigned pa[NT / 2][4];
  bf_pack_a<NT>(pa, s);
  bf_mma_pn<D, NT>(o, pa, sv, lane);  // O += P·V, P from registers
}

// Shared (bf16): Q [64 × LD], K [32 × LD], V [32 × LD]; with ASYNC then fp32 staging K, V
// [32 × D] each. Splits as in tc_fwd: blockIdx.z = b·splits + part covers keys
// [part·splitLen, (part + 1)·splitLen) and writes partial outputs for attention_tc_combine.
template <int D, bool ASYNC>
__device__ void bf_fwd(const float* __restrict__ q, const float* __restrict__ k,
                       const float* __restrict__ v, float* __restrict__ out,
                       float* __restrict__ lse, int heads, int kvHeads, int tq, int tk,
                       int kvStride, float scale, int splits, int splitLen) {
  constexpr int LD = D + 8, ND = D / 8;
  extern __shared__ __align__(16) bf16 bf_smem[];
  bf16* sq = bf_smem;
  bf16* sk = sq + BF_BQ * LD;
  bf16* sv = sk + BF_BK * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int h = blockIdx.y, b = blockIdx.z / splits, part = blockIdx.z - b * splits;
  const int kvh = h / (heads / kvHeads);
  const int q0 = (gridDim.x - 1 - blockIdx.x) * BF_BQ, offset = tk - tq;  // heaviest first
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const float* qBase = q + (long long)b * tq * qCols + (long long)h * D;
  const float* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const float* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * D;
  bf_load_tile<D>(sq, qBase, qCols, q0, BF_BQ, tq);

  const int i0 = q0 + warp * 16 + g, i1 = i0 + 8;
  const float s2 = scale * BF_LOG2E;
  float o[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  float m0 = neg_inf(), m1 = neg_inf(), l0 = 0.f, l1 = 0.f;
  const int lastRow = min(q0 + BF_BQ, tq) - 1;
  const int keyBegin = part * splitLen;
  const int keyEnd = min(min(tk, lastRow + offset + 1), keyBegin + splitLen);
  // Without ASYNC the next tiles are staged in registers at D = 64; at D = 128 that would cost
  // occupancy, so there the loads are synchronous.
  constexpr bool AHEAD = !ASYNC && D <= 64;
  Stage<D> nk, nv;
  float* stk = reinterpret_cast<float*>(sv + BF_BK * LD);
  float* stv = stk + BF_BK * D;
  if (AHEAD && keyBegin < keyEnd) {
    stage_fetch<D>(nk, kBase, kvCols, keyBegin, keyEnd);
    stage_fetch<D>(nv, vBase, kvCols, keyBegin, keyEnd);
  }
  if (ASYNC && keyBegin < keyEnd) {
    bf_async_fetch<D>(stk, kBase, kvCols, keyBegin, keyEnd);
    bf_async_fetch<D>(stv, vBase, kvCols, keyBegin, keyEnd);
    bf_cp_commit();
  }

  for (int k0 = keyBegin; k0 < keyEnd; k0 += BF_BK) {
    if constexpr (ASYNC) bf_cp_wait();
    __syncthreads();  // the previous tiles are no longer read
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
    bf_fwd_tile<D>(o, m0, m1, l0, l1, sq, sk, sv, s2, k0, keyEnd, i0, i1, offset, tq, warp, lane);
  }

  store_out_rows<D, true>(o, m0, m1, l0, l1, out, lse, heads, tq, splits, part, b, h, i0, i1, t);
}

// Shared (bf16): Q [64 × LD], then two buffers of K [32 × LD], V [32 × LD]. One key part
// (splits = 1): Bf16AttentionKernels uses it where the query tiles fill the GPU.
template <int D>
__device__ void bf_fwd_cast(const bf16* __restrict__ q, const bf16* __restrict__ k,
                            const bf16* __restrict__ v, float* __restrict__ out,
                            float* __restrict__ lse, int heads, int kvHeads, int tq, int tk,
                            int kvStride, float scale) {
  constexpr int LD = D + 8, ND = D / 8, BUF = 2 * BF_BK * LD;
  extern __shared__ __align__(16) bf16 bf_smem[];
  bf16* sq = bf_smem;
  bf16* kvBuf = sq + BF_BQ * LD;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int h = blockIdx.y, b = blockIdx.z, kvh = h / (heads / kvHeads);
  const int q0 = (gridDim.x - 1 - blockIdx.x) * BF_BQ, offset = tk - tq;  // heaviest first
  const long long qCols = (long long)heads * D, kvCols = (long long)kvHeads * D;
  const bf16* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const bf16* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * D;
  const int lastRow = min(q0 + BF_BQ, tq) - 1;
  const int keyEnd = min(tk, lastRow + offset + 1);
  bf_cp_tile<D>(sq, q + (long long)b * tq * qCols + (long long)h * D, qCols, q0, BF_BQ, tq);
  if (keyEnd > 0) {
    bf_cp_tile<D>(kvBuf, kBase, kvCols, 0, BF_BK, keyEnd);
    bf_cp_tile<D>(kvBuf + BF_BK * LD, vBase, kvCols, 0, BF_BK, keyEnd);
  }
  bf_cp_commit();

  const int i0 = q0 + warp * 16 + g, i1 = i0 + 8;
  const float s2 = scale * BF_LOG2E;
  float o[ND][4];
#pragma unroll
  for (int n = 0; n < ND; n++) o[n][0] = o[n][1] = o[n][2] = o[n][3] = 0.f;
  float m0 = neg_inf(), m1 = neg_inf(), l0 = 0.f, l1 = 0.f;
  for (int k0 = 0, it = 0; k0 < keyEnd; k0 += BF_BK, it++) {
    const bf16* sk = kvBuf + (it & 1) * BUF;
    bf_cp_wait();
    __syncthreads();  // this tile arrived everywhere; the other buffer is no longer read
    if (k0 + BF_BK < keyEnd) {
      bf16* nk = kvBuf + ((it + 1) & 1) * BUF;
      bf_cp_tile<D>(nk, kBase, kvCols, k0 + BF_BK, BF_BK, keyEnd);
      bf_cp_tile<D>(nk + BF_BK * LD, vBase, kvCols, k0 + BF_BK, BF_BK, keyEnd);
      bf_cp_commit();
    }
    bf_fwd_tile<D>(o, m0, m1, l0, l1, sq, sk, sk + BF_BK * LD, s2, k0, keyEnd, i0, i1, offset, tq,
                   warp, lane);
  }
  bf_cp_wait();  // nothing in flight at exit
  store_out_rows<D, true>(o, m0, m1, l0, l1, out, lse, heads, tq, 1, 0, b, h, i0, i1, t);
}

#define BF_CAST_FWD(D, NAME, BF)                                                                \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BF)                                 \
      attention_bf16_fwd_##NAME(const bf16* q, const bf16* k, const bf16* v, float* out,       \
                                float* lse, int heads, int kvHeads, int tq, int tk,            \
                                int kvStride, float scale) {                                   \
    bf_fwd_cast<D>(q, k, v, out, lse, heads, kvHeads, tq, tk, kvStride, scale);                \
  }

// Resident blocks per SM: _cast5 is the d = 64 forward at 5 blocks, for comparison.
BF_CAST_FWD(64, d64_cast, 4)
BF_CAST_FWD(64, d64_cast5, 5)
BF_CAST_FWD(128, d128_cast, 2)

// Resident blocks per SM asked of the register allocator. The _async kernels stage the next tile
// with cp.async (fp32, in shared memory), the others in registers (D = 64) or not at all;
// Bf16AttentionKernels (Java) picks one per pass.
#define BF_FWD_INSTANCES(D, A, NAME, BF)                                                        \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BF)                                 \
      attention_bf16_fwd_##NAME(const float* q, const float* k, const float* v, float* out,     \
                                float* lse, int heads, int kvHeads, int tq, int tk,            \
                                int kvStride, float scale, int splits, int splitLen) {         \
    bf_fwd<D, A>(q, k, v, out, lse, heads, kvHeads, tq, tk, kvStride, scale, splits, splitLen); \
  }

BF_FWD_INSTANCES(64, false, d64, 4)
BF_FWD_INSTANCES(128, false, d128, 2)
BF_FWD_INSTANCES(64, true, d64_async, 5)
BF_FWD_INSTANCES(128, true, d128_async, 2)
