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
#define TC_THREADS 128
#define TC_BQ 64   // forward, dQ: query rows per block (4 warps × 16)
#define TC_BK 32   // forward, dQ: keys per tile
#define TC_BKV 64  // dK/dV: keys per block (4 warps × 16)
#define TC_BQ2 32  // dK/dV: queries per tile
#define TC_PS 36   // row stride of each warp's 16 × 32 probability tile

struct Tf {
  unsigned h, l;
};

__device__ __forceinline__ unsigned tf32_bits(float x) {
  unsigned r;
  asm("cvt.rna.tf32.f32 %0, %1;" : "=r"(r) : "f"(x));
  return r;
}

__device__ __forceinline__ float tf32_round(float x) { return __uint_as_float(tf32_bits(x)); }

// Operand bits from shared memory: split into hi + lo, or (SPLIT = 0) already rounded when stored.
template <bool SPLIT>
__device__ __forceinline__ Tf tfb(unsigned bits) {
  Tf r;
  if (SPLIT) {
    const float x = __uint_as_float(bits);
    r.h = tf32_bits(x);
    r.l = tf32_bits(x - __uint_as_float(r.h));
  } else {
    r.h = bits;
    r.l = 0u;
  }
  return r;
}

template <bool SPLIT>
__device__ __forceinline__ Tf tf(float x) {
  return tfb<SPLIT>(__float_as_uint(x));
}

__device__ __forceinline__ void mma1(float* c, unsigned a0, unsigned a1, unsigned a2, unsigned a3,
                                     unsigned b0, unsigned b1) {
  asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, "
      "{%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

// c += a·b; the small cross terms first.
template <bool SPLIT>
__device__ __forceinline__ void mma(float* c, const Tf* a, const Tf* b) {
  if (SPLIT) {
    mma1(c, a[0].l, a[1].l, a[2].l, a[3].l, b[0].h, b[1].h);
    mma1(c, a[0].h, a[1].h, a[2].h, a[3].h, b[0].l, b[1].l);
  }
  mma1(c, a[0].h, a[1].h, a[2].h, a[3].h, b[0].h, b[1].h);
}

// Four 8 × 4 blocks of 32-bit words; lanes 8j..8j+7 give the row addresses of block j, and each
// lane receives word lane%4 of row lane/4 of every block.
__device__ __forceinline__ void ldsm4(unsigned* r, const float* p) {
  unsigned a;
  asm("{ .reg .u64 t; cvta.to.shared.u64 t, %1; cvt.u32.u64 %0, t; }" : "=r"(a) : "l"(p));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(a));
}

// A fragment of the row-major tile s (stride ld) at (row0, col0). With SPLIT, scalar loads: the
// hi/lo split dominates there, and ldmatrix measured slower (more live registers).
template <bool SPLIT>
__device__ __forceinline__ void load_a(Tf* a, const float* s, int ld, int row0, int col0,
                                       int lane) {
  if (SPLIT) {
    const float* p = s + (row0 + (lane >> 2)) * ld + col0 + (lane & 3);
    a[0] = tf<SPLIT>(p[0]);
    a[1] = tf<SPLIT>(p[8 * ld]);
    a[2] = tf<SPLIT>(p[4]);
    a[3] = tf<SPLIT>(p[8 * ld + 4]);
    return;
  }
  const int j = lane >> 3, rr = lane & 7;
  unsigned r[4];
  ldsm4(r, s + (row0 + rr + (j & 1) * 8) * ld + col0 + (j >> 1) * 4);
#pragma unroll
  for (int e = 0; e < 4; e++) a[e] = tfb<SPLIT>(r[e]);
}

// B fragments of two adjacent n tiles with B(k, n) = s[n0 + n][k0 + k] (a tile used transposed,
// e.g. K in Q·Kᵀ): b[0], b[1] for columns n0..n0+7, b[2], b[3] for n0+8..n0+15.
template <bool SPLIT>
__device__ __forceinline__ void load_bt2(Tf* b, const float* s, int ld, int n0, int k0,
                                         int lane) {
  if (SPLIT) {
    const float* p = s + (n0 + (lane >> 2)) * ld + k0 + (lane & 3);
    b[0] = tf<SPLIT>(p[0]);
    b[1] = tf<SPLIT>(p[4]);
    b[2] = tf<SPLIT>(p[8 * ld]);
    b[3] = tf<SPLIT>(p[8 * ld + 4]);
    return;
  }
  const int j = lane >> 3, rr = lane & 7;
  unsigned r[4];
  ldsm4(r, s + (n0 + rr + (j >> 1) * 8) * ld + k0 + (j & 1) * 4);
#pragma unroll
  for (int e = 0; e < 4; e++) b[e] = tfb<SPLIT>(r[e]);
}

// B fragment with B(k, n) = s[k0 + k][n0 + n] (a tile used as is, e.g. V in P·V): scalar loads,
// since ldmatrix cannot transpose 32-bit words.
template <bool SPLIT>
__device__ __forceinline__ void load_bn(Tf* b, const float* s, int ld, int k0, int n0, int g,
                                        int t) {
  const float* p = s + (k0 + t) * ld + n0 + g;
  b[0] = tf<SPLIT>(p[0]);
  b[1] = tf<SPLIT>(p[4 * ld]);
}

// acc[n] += A·B over ND n tiles of 8 columns and KS k steps, A from the warp's tile w (stride
// TC_PS), B(k, n) = x[k][n] of a tile x (stride ld) used as is.
template <int ND, int KS, bool SPLIT>
__device__ __forceinline__ void mma_pn(float (*acc)[4], const float* w, const float* x, int ld,
                                       int lane) {
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int kk = 0; kk < KS; kk++) {
    Tf a[4];
    load_a<SPLIT>(a, w, TC_PS, 0, kk * 8, lane);
#pragma unroll
    for (int n = 0; n < ND; n++) {
      Tf bb[2];
      load_bn<SPLIT>(bb, x, ld, kk * 8, n * 8, g, t);
      mma<SPLIT>(acc[n], a, bb);
    }
  }
}

// The warp's C tiles c[n] (16 × 8 each, n = 0..3) into its 16 × 32 tile w (stride TC_PS), rounded
// to TF32 when they are used as one-product operands.
template <bool SPLIT>
__device__ __forceinline__ void store_c(float* w, const float (*c)[4], int g, int t) {
#pragma unroll
  for (int n = 0; n < 4; n++) {
    float* p = w + g * TC_PS + n * 8 + 2 * t;
    p[0] = SPLIT ? c[n][0] : tf32_round(c[n][0]);
    p[1] = SPLIT ? c[n][1] : tf32_round(c[n][1]);
    p[8 * TC_PS] = SPLIT ? c[n][2] : tf32_round(c[n][2]);
    p[8 * TC_PS + 1] = SPLIT ? c[n][3] : tf32_round(c[n][3]);
  }
}

template <bool SPLIT>
__device__ __forceinline__ float4 operand4(float4 x) {
  if (!SPLIT) {
    x.x = tf32_round(x.x);
    x.y = tf32_round(x.y);
    x.z = tf32_round(x.z);
    x.w = tf32_round(x.w);
  }
  return x;
}

// rows [row0, row0 + n) of a [· × cols] matrix, D columns from col, into s (stride D + 4); rows
// at or past `valid` are zero.
template <int D, bool SPLIT>
__device__ __forceinline__ void load_tile(float* s, const float* base, long long cols, int row0,
                                          int n, int valid) {
  constexpr int V4 = D / 4;
  for (int idx = threadIdx.x; idx < n * V4; idx += TC_THREADS) {
    const int r = idx / V4, c = (idx - r * V4) * 4, i = row0 + r;
    float4 x = make_float4(0.f, 0.f, 0.f, 0.f);
    if (i < valid) x = *reinterpret_cast<const float4*>(base + i * cols + c);
    *reinterpret_cast<float4*>(s + r * (D + 4) + c) = operand4<SPLIT>(x);
  }
}

// A 32-row tile staged in registers between its global loads and its shared-memory store.
template <int D>
struct Stage {
  static constexpr int N = 32 * D / 4 / TC_THREADS;  // float4 per thread
  float4 x[N];
};

// Issues the loads of rows [row0, row0 + 32) (zero at or past `valid`) without waiting for them.
template <int D>
__device__ __forceinline__ void stage_fetch(Stage<D>& st, const float* base, long long cols,
                                            int row0, int valid) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < Stage<D>::N; e++) {
    const int idx = threadIdx.x + e * TC_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    const int i = row0 + r;
    st.x[e] = i < valid ? *reinterpret_cast<const float4*>(base + i * cols + c)
                        : make_float4(0.f, 0.f, 0.f, 0.f);
  }
}

template <int D, bool SPLIT>
__device__ __forceinline__ void stage_put(const Stage<D>& st, float* s) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < Stage<D>::N; e++) {
    const int idx = threadIdx.x + e * TC_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    *reinterpret_cast<float4*>(s + r * (D + 4) + c) = operand4<SPLIT>(st.x[e]);
  }
}

__device__ __forceinline__ float group_max(float v) {
  v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, 1));
  return fmaxf(v, __shfl_xor_sync(FULL_MASK, v, 2));
}

__device__ __forceinline__ float group_sum(float v) {
  v += __shfl_xor_sync(FULL_MASK, v, 1);
  return v + __shfl_xor_sync(FULL_MASK, v, 2);
}

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
      const float value = l > 0.f ? (half ? m1 : m0) + logf(l) : neg_inf();
      lse[(splits > 1 ? part * rows + r : r) * heads + h] = value;
    }
  }
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
