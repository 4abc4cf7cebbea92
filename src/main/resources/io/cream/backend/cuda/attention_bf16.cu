// Causal grouped-query attention with bf16 tensor-core operands (--precision bf16), forward and
// backward, head dims 64 and 128: the algorithm, grids, block order, outputs and lse contract of
// attention_tc.cu, with every tile product on mma.sync m16n8k16 bf16 × bf16 → fp32. The _cast
// kernels (the default) read bf16 copies of Q, K, V and dO made by the caller; the others read
// the fp32 tensors and round each tile (nearest even, the same rounding) as it is stored in shared
// memory, so a tile takes half the space of attention_tc.cu's. Scores, softmax statistics,
// the rescaling of the output and every accumulator are fp32; P and dS are rounded to bf16 only as
// operands of their products. No atomics: results are the same from run to run.
//
// Fragments of m16n8k16 (g = lane / 4, t = lane % 4; two bf16 per 32-bit register, the lower
// column in the low half): A (16×16) a0 = (row g, cols 2t, 2t+1), a1 = row g+8, a2 = cols +8,
// a3 = both; B (16×8) b0 = (rows 2t, 2t+1, col g), b1 = rows +8; C (16×8) rows g, g+8 × cols 2t,
// 2t+1. C tiles n = 2k and 2k+1 of one product are, packed, the A fragment of k step k of the
// next, so P (and dS) go from one product to the next in registers, never through shared memory.
// Every operand fragment is one ldmatrix.x4 (.trans for tiles whose rows are the k dimension);
// shared rows are D + 8 bf16 apart (16 bytes more than a row), so the 8 rows × 16 bytes of an
// ldmatrix phase hit 32 different banks.
#define BF_THREADS 128
#define BF_BQ 64   // forward, dQ: query rows per block (4 warps × 16)
#define BF_BK 32   // forward, dQ: keys per tile
#define BF_BKV 64  // dK/dV: keys per block (4 warps × 16)
#define BF_BQ2 32  // dK/dV: queries per tile

typedef unsigned short bf16;  // the bits of one bf16 value

// Two floats as one bf16 pair, rounded to nearest even: lo in the low half.
__device__ __forceinline__ unsigned bf_pack(float lo, float hi) {
  unsigned r;
  asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
  return r;
}

__device__ __forceinline__ void bf_mma(float* c, const unsigned* a, unsigned b0, unsigned b1) {
  asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}

// Four 8 × 8 bf16 matrices; lanes 8j..8j+7 give the row addresses of matrix j. Register j gets
// (row lane/4, cols 2(lane%4), +1) of matrix j, or with TRANS (rows 2(lane%4), +1, col lane/4).
template <bool TRANS>
__device__ __forceinline__ void bf_ldsm4(unsigned* r, const bf16* p) {
  unsigned a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
  if (TRANS) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(a)
                 : "memory");
  } else {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(a)
                 : "memory");
  }
}

// A fragment (16 × 16) of the row-major tile s (stride ld) at (row0, col0).
__device__ __forceinline__ void bf_load_a(unsigned* a, const bf16* s, int ld, int row0, int col0,
                                          int lane) {
  const int j = lane >> 3, rr = lane & 7;
  bf_ldsm4<false>(a, s + (row0 + rr + (j & 1) * 8) * ld + col0 + (j >> 1) * 8);
}

// B fragments of n tiles n0..n0+7 (b[0], b[1]) and n0+8..n0+15 (b[2], b[3]) over k0..k0+15, with
// B(k, n) = s[n0 + n][k0 + k]: a tile used transposed, e.g. K in Q·Kᵀ.
__device__ __forceinline__ void bf_load_bt(unsigned* b, const bf16* s, int ld, int n0, int k0,
                                           int lane) {
  const int j = lane >> 3, rr = lane & 7;
  bf_ldsm4<false>(b, s + (n0 + rr + (j >> 1) * 8) * ld + k0 + (j & 1) * 8);
}

// The same with B(k, n) = s[k0 + k][n0 + n]: a tile used as is, e.g. V in P·V.
__device__ __forceinline__ void bf_load_bn(unsigned* b, const bf16* s, int ld, int k0, int n0,
                                           int lane) {
  const int j = lane >> 3, rr = lane & 7;
  bf_ldsm4<true>(b, s + (k0 + rr + (j & 1) * 8) * ld + n0 + (j >> 1) * 8);
}

// c[n] += A·Bᵀ for NT n tiles: A = the warp's 16 rows of tile sa from row arow0, B rows 0..8·NT
// of tile sb, both D wide (stride D + 8).
template <int D, int NT>
__device__ __forceinline__ void bf_mma_abt(float (*c)[4], const bf16* sa, int arow0,
                                           const bf16* sb, int lane) {
  constexpr int LD = D + 8;
#pragma unroll
  for (int kk = 0; kk < D / 16; kk++) {
    unsigned a[4];
    bf_load_a(a, sa, LD, arow0, kk * 16, lane);
#pragma unroll
    for (int n = 0; n < NT; n += 2) {
      unsigned b[4];
      bf_load_bt(b, sb, LD, n * 8, kk * 16, lane);
      bf_mma(c[n], a, b[0], b[1]);
      bf_mma(c[n + 1], a, b[2], b[3]);
    }
  }
}

// The warp's C tiles p[0..NT) (16 × 8·NT, fp32) rounded to bf16 as the A fragments pa[0..NT/2) of
// a product over k = 8·NT: C tiles 2k and 2k+1 are k step k.
template <int NT>
__device__ __forceinline__ void bf_pack_a(unsigned (*pa)[4], const float (*p)[4]) {
#pragma unroll
  for (int kk = 0; kk < NT / 2; kk++) {
    pa[kk][0] = bf_pack(p[2 * kk][0], p[2 * kk][1]);
    pa[kk][1] = bf_pack(p[2 * kk][2], p[2 * kk][3]);
    pa[kk][2] = bf_pack(p[2 * kk + 1][0], p[2 * kk + 1][1]);
    pa[kk][3] = bf_pack(p[2 * kk + 1][2], p[2 * kk + 1][3]);
  }
}

// acc[n] += P·X over ND n tiles: P = packed A fragments pa (16 × 8·NT, from bf_pack_a), X = rows
// 0..8·NT of tile x (stride D + 8) used as is.
template <int D, int NT>
__device__ __forceinline__ void bf_mma_pn(float (*acc)[4], const unsigned (*pa)[4], const bf16* x,
                                          int lane) {
  constexpr int LD = D + 8, ND = D / 8;
#pragma unroll
  for (int kk = 0; kk < NT / 2; kk++) {
#pragma unroll
    for (int n = 0; n < ND; n += 2) {
      unsigned b[4];
      bf_load_bn(b, x, LD, kk * 16, n * 8, lane);
      bf_mma(acc[n], pa[kk], b[0], b[1]);
      bf_mma(acc[n + 1], pa[kk], b[2], b[3]);
    }
  }
}

// Four fp32 values of row r, columns c..c+3, into the bf16 tile s (stride D + 8).
template <int D>
__device__ __forceinline__ void bf_put4(bf16* s, int r, int c, float4 x) {
  *reinterpret_cast<uint2*>(s + r * (D + 8) + c) =
      make_uint2(bf_pack(x.x, x.y), bf_pack(x.z, x.w));
}

// Rows [row0, row0 + n) of a [· × cols] fp32 matrix, D columns from col 0 of base, into the bf16
// tile s; rows at or past `valid` are zero.
template <int D>
__device__ __forceinline__ void bf_load_tile(bf16* s, const float* base, long long cols, int row0,
                                             int n, int valid) {
  constexpr int V4 = D / 4;
  for (int idx = threadIdx.x; idx < n * V4; idx += BF_THREADS) {
    const int r = idx / V4, c = (idx - r * V4) * 4, i = row0 + r;
    float4 x = make_float4(0.f, 0.f, 0.f, 0.f);
    if (i < valid) x = *reinterpret_cast<const float4*>(base + i * cols + c);
    bf_put4<D>(s, r, c, x);
  }
}

// A 32-row fp32 tile held in registers between its global loads and its shared-memory store, so
// that the loads of the next tile overlap the products of the current one.
template <int D>
struct BfStage {
  static constexpr int N = 32 * D / 4 / BF_THREADS;  // float4 per thread
  float4 x[N];
};

template <int D>
__device__ __forceinline__ void bf_stage_fetch(BfStage<D>& st, const float* base, long long cols,
                                               int row0, int valid) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < BfStage<D>::N; e++) {
    const int idx = threadIdx.x + e * BF_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    const int i = row0 + r;
    st.x[e] = i < valid ? *reinterpret_cast<const float4*>(base + i * cols + c)
                        : make_float4(0.f, 0.f, 0.f, 0.f);
  }
}

template <int D>
__device__ __forceinline__ void bf_stage_put(const BfStage<D>& st, bf16* s) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < BfStage<D>::N; e++) {
    const int idx = threadIdx.x + e * BF_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    bf_put4<D>(s, r, c, st.x[e]);
  }
}

// One 16-byte cp.async (L2 only); with valid false it writes 16 zero bytes and reads nothing.
__device__ __forceinline__ void bf_cp16(void* dst, const void* src, bool valid) {
  unsigned a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(dst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(a), "l"(src),
               "r"(valid ? 16 : 0)
               : "memory");
}

// One 4-byte cp.async (through L1), zero where valid is false.
__device__ __forceinline__ void bf_cp4(float* dst, const float* src, bool valid) {
  unsigned a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(dst));
  asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(a), "l"(src),
               "r"(valid ? 4 : 0)
               : "memory");
}

__device__ __forceinline__ void bf_cp_commit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

__device__ __forceinline__ void bf_cp_wait() { asm volatile("cp.async.wait_group 0;\n" ::: "memory"); }

// ASYNC staging: rows [row0, row0 + 32) of an fp32 matrix (zero at or past `valid`) copied by
// cp.async into the fp32 staging tile st, without registers. Each thread copies, and later
// converts with bf_async_put, the same float4s, so it waits for its own copies only.
template <int D>
__device__ __forceinline__ void bf_async_fetch(float* st, const float* base, long long cols,
                                               int row0, int valid) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < BfStage<D>::N; e++) {
    const int idx = threadIdx.x + e * BF_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    const int i = row0 + r;
    bf_cp16(st + idx * 4, i < valid ? base + i * cols + c : base, i < valid);
  }
}

template <int D>
__device__ __forceinline__ void bf_async_put(const float* st, bf16* s) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < BfStage<D>::N; e++) {
    const int idx = threadIdx.x + e * BF_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    bf_put4<D>(s, r, c, *reinterpret_cast<const float4*>(st + idx * 4));
  }
}

__device__ __forceinline__ float bf_group_max(float v) {
  v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, 1));
  return fmaxf(v, __shfl_xor_sync(FULL_MASK, v, 2));
}

__device__ __forceinline__ float bf_group_sum(float v) {
  v += __shfl_xor_sync(FULL_MASK, v, 1);
  return v + __shfl_xor_sync(FULL_MASK, v, 2);
}

// Softmax exponentials in base 2: scores are scaled by scale·log2(e) and lse by log2(e) in one
// FMA, and ex2.approx (one MUFU op, ~2 ulp, far below bf16's rounding) replaces expf's accurate
// range-reduced sequence. ex2(-inf) = 0, so a masked score is set to -inf.
#define BF_LOG2E 1.4426950408889634f
#define BF_LN2 0.6931471805599453f

__device__ __forceinline__ float bf_exp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}

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
  const float mn0 = fmaxf(m0, bf_group_max(mx0)), mn1 = fmaxf(m1, bf_group_max(mx1));
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
  l0 = l0 * alpha0 + bf_group_sum(rs0);
  l1 = l1 * alpha1 + bf_group_sum(rs1);
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

// The warp's normalised output rows i0, i1 and their lse (natural log), or with splits > 1 the
// partial output and lse of key part `part` for attention_tc_combine.
template <int D>
__device__ __forceinline__ void bf_fwd_store(const float (*o)[4], float m0, float m1, float l0,
                                             float l1, float* out, float* lse, int heads, int tq,
                                             int splits, int part, int b, int h, int i0, int i1,
                                             int t) {
  constexpr int ND = D / 8;
  const long long qCols = (long long)heads * D;
  const long long rows = (long long)gridDim.z / splits * tq;  // batch · tq
#pragma unroll
  for (int half = 0; half < 2; half++) {
    const int i = half ? i1 : i0;
    if (i >= tq) continue;
    const float l = half ? l1 : l0;
    const float inv = l > 0.f ? 1.f / l : 0.f;  // l = 0: this part saw no key of the row
    const long long r = (long long)b * tq + i;
    float* row = splits > 1 ? out + ((part * rows + r) * heads + h) * D + 2 * t
                            : out + r * qCols + (long long)h * D + 2 * t;
#pragma unroll
    for (int n = 0; n < ND; n++) {
      row[n * 8] = o[n][2 * half] * inv;
      row[n * 8 + 1] = o[n][2 * half + 1] * inv;
    }
    if (t == 0) {
      const float value = l > 0.f ? (half ? m1 : m0) * BF_LN2 + logf(l) : neg_inf();
      lse[(splits > 1 ? part * rows + r : r) * heads + h] = value;
    }
  }
}

// Shared (bf16): Q [64 × LD], K [32 × LD], V [32 × LD]; with ASYNC then fp32 staging K, V
// [32 × D] each. Splits as in tc_fwd: blockIdx.z =
// b·splits + part covers keys [part·splitLen, (part + 1)·splitLen) and writes partial outputs for
// attention_tc_combine.
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
  BfStage<D> nk, nv;
  float* stk = reinterpret_cast<float*>(sv + BF_BK * LD);
  float* stv = stk + BF_BK * D;
  if (AHEAD && keyBegin < keyEnd) {
    bf_stage_fetch<D>(nk, kBase, kvCols, keyBegin, keyEnd);
    bf_stage_fetch<D>(nv, vBase, kvCols, keyBegin, keyEnd);
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
      bf_stage_fetch<D>(nk, kBase, kvCols, k0 + BF_BK, keyEnd);
      bf_stage_fetch<D>(nv, vBase, kvCols, k0 + BF_BK, keyEnd);
    }
    bf_fwd_tile<D>(o, m0, m1, l0, l1, sq, sk, sv, s2, k0, keyEnd, i0, i1, offset, tq, warp, lane);
  }

  bf_fwd_store<D>(o, m0, m1, l0, l1, out, lse, heads, tq, splits, part, b, h, i0, i1, t);
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
  BfStage<D> nk, nv;
  float* stk = reinterpret_cast<float*>(sv + BF_BK * LD);
  float* stv = stk + BF_BK * D;
  if (AHEAD && keyEnd > 0) {
    bf_stage_fetch<D>(nk, kBase, kvCols, 0, keyEnd);
    bf_stage_fetch<D>(nv, vBase, kvCols, 0, keyEnd);
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
      bf_stage_fetch<D>(nk, kBase, kvCols, k0 + BF_BK, keyEnd);
      bf_stage_fetch<D>(nv, vBase, kvCols, k0 + BF_BK, keyEnd);
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

#pragma unroll
  for (int half = 0; half < 2; half++) {
    const int i = half ? i1 : i0;
    if (i >= tq) continue;
    float* row = dq + qOff + (long long)i * qCols + 2 * t;
#pragma unroll
    for (int n = 0; n < ND; n++) {
      row[n * 8] = acc[n][2 * half] * scale;
      row[n * 8 + 1] = acc[n][2 * half + 1] * scale;
    }
  }
}

// Shared (bf16): K [64 × LD], V [64 × LD], Q [32 × LD], dO [32 × LD]; then fp32 lse [32],
// delta [32]; with ASYNC then fp32 staging Q, dO [32 × D] each, lse, delta [32] each. A block owns 64 keys of one KV head and walks the queries of every head of its group
// (one writer per dK, dV row). Grid (kvHeads, batch, key blocks): the longest blocks start first.
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

#pragma unroll
  for (int half = 0; half < 2; half++) {
    const int j = half ? r1 : r0;
    if (j >= tk) continue;
    const long long at = kvOff + (long long)j * kvCols + 2 * t;
#pragma unroll
    for (int n = 0; n < ND; n++) {
      dk[at + n * 8] = dka[n][2 * half] * scale;
      dk[at + n * 8 + 1] = dka[n][2 * half + 1] * scale;
      dv[at + n * 8] = dva[n][2 * half];
      dv[at + n * 8 + 1] = dva[n][2 * half + 1];
    }
  }
}

// CAST kernels of the backward: Q, K, V and dO arrive as bf16 copies (Bf16Cast, the same
// rounding as the staging above), so tiles go from global to shared memory by cp.async alone, no
// fp32 staging and no conversion. The streamed tiles are double-buffered: one barrier per tile
// both publishes the tile that arrived and frees the buffer the next copy overwrites.

// Rows [row0, row0 + n) of a [· × cols] bf16 matrix, D columns from col 0 of base, into the tile
// s (stride D + 8) by 16-byte cp.async; rows at or past `valid` are zero.
template <int D>
__device__ __forceinline__ void bf_cp_tile(bf16* s, const bf16* base, long long cols, int row0,
                                           int n, int valid) {
  constexpr int C8 = D / 8;  // 16-byte chunks per row
  for (int idx = threadIdx.x; idx < n * C8; idx += BF_THREADS) {
    const int r = idx / C8, c = (idx - r * C8) * 8, i = row0 + r;
    bf_cp16(s + r * (D + 8) + c, i < valid ? base + i * cols + c : base, i < valid);
  }
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
  bf_fwd_store<D>(o, m0, m1, l0, l1, out, lse, heads, tq, 1, 0, b, h, i0, i1, t);
}

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

#pragma unroll
  for (int half = 0; half < 2; half++) {
    const int i = half ? i1 : i0;
    if (i >= tq) continue;
    float* row = dq + qOff + (long long)i * qCols + 2 * t;
#pragma unroll
    for (int n = 0; n < ND; n++) {
      row[n * 8] = acc[n][2 * half] * scale;
      row[n * 8 + 1] = acc[n][2 * half + 1] * scale;
    }
  }
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

#pragma unroll
  for (int half = 0; half < 2; half++) {
    const int j = half ? r1 : r0;
    if (j >= tk) continue;
    const long long at = kvOff + (long long)j * kvCols + 2 * t;
#pragma unroll
    for (int n = 0; n < ND; n++) {
      dk[at + n * 8] = dka[n][2 * half] * scale;
      dk[at + n * 8 + 1] = dka[n][2 * half + 1] * scale;
      dv[at + n * 8] = dva[n][2 * half];
      dv[at + n * 8 + 1] = dva[n][2 * half + 1];
    }
  }
}

#define BF_CAST_FWD(D, NAME, BF)                                                                \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BF)                                 \
      attention_bf16_fwd_##NAME(const bf16* q, const bf16* k, const bf16* v, float* out,       \
                                float* lse, int heads, int kvHeads, int tq, int tk,            \
                                int kvStride, float scale) {                                   \
    bf_fwd_cast<D>(q, k, v, out, lse, heads, kvHeads, tq, tk, kvStride, scale);                \
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

// Resident blocks per SM (forward; dQ, dK/dV). At d = 64 the backward kernels also fit 128
// registers (4 blocks) unspilled, but measured slower than at 3 (docs/attention-perf-notes.md);
// _cast5 is the d = 64 forward at 5 blocks, for comparison.
BF_CAST_FWD(64, d64_cast, 4)
BF_CAST_FWD(64, d64_cast5, 5)
BF_CAST_FWD(128, d128_cast, 2)
BF_CAST_BWD(64, d64_cast, 3, 3)
BF_CAST_BWD(128, d128_cast, 2, 2)

// Resident blocks per SM asked of the register allocator (forward, dQ, dK/dV). The _async
// kernels stage the next tile with cp.async (fp32, in shared memory), the others in registers
// (D = 64, except dK/dV) or not at all; Bf16AttentionKernels (Java) picks one per pass.
#define BF_INSTANCES(D, A, NAME, BF, BQ, BKV)                                                   \
  extern "C" __global__ void __launch_bounds__(BF_THREADS, BF)                                 \
      attention_bf16_fwd_##NAME(const float* q, const float* k, const float* v, float* out,     \
                                float* lse, int heads, int kvHeads, int tq, int tk,            \
                                int kvStride, float scale, int splits, int splitLen) {         \
    bf_fwd<D, A>(q, k, v, out, lse, heads, kvHeads, tq, tk, kvStride, scale, splits, splitLen); \
  }                                                                                             \
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

BF_INSTANCES(64, false, d64, 4, 3, 3)
BF_INSTANCES(128, false, d128, 2, 2, 2)
BF_INSTANCES(64, true, d64_async, 5, 3, 3)
BF_INSTANCES(128, true, d128_async, 2, 2, 2)
