// bf16 operands of mma.sync m16n8k16 for attention_bf16_fwd.cu and attention_bf16_bwd.cu: fragment
// loads from shared tiles, the tile products, the rounding of fp32 tiles into shared memory
// (directly, from registers or from a cp.async staging buffer), bf16 tiles by cp.async, and the
// base-2 exponential of the softmax.
//
// Fragments of m16n8k16 (g = lane / 4, t = lane % 4; two bf16 per 32-bit register, the lower
// column in the low half): A (16×16) a0 = (row g, cols 2t, 2t+1), a1 = row g+8, a2 = cols +8,
// a3 = both; B (16×8) b0 = (rows 2t, 2t+1, col g), b1 = rows +8; C (16×8) rows g, g+8 × cols 2t,
// 2t+1. C tiles n = 2k and 2k+1 of one product are, packed, the A fragment of k step k of the
// next, so P (and dS) go from one product to the next in registers, never through shared memory.
// Every operand fragment is one ldmatrix.x4 (.trans for tiles whose rows are the k dimension);
// shared rows are D + 8 bf16 apart (16 bytes more than a row), so the 8 rows × 16 bytes of an
// ldmatrix phase hit 32 different banks.
#ifndef ATTENTION_BF16_TILES_CUH
#define ATTENTION_BF16_TILES_CUH

#include "attention_tiles.cuh"

#define BF_THREADS TILE_THREADS
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

// The staged tile st, rounded to bf16, into the tile s.
template <int D>
__device__ __forceinline__ void bf_stage_put(const Stage<D>& st, bf16* s) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < Stage<D>::N; e++) {
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
  for (int e = 0; e < Stage<D>::N; e++) {
    const int idx = threadIdx.x + e * BF_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    const int i = row0 + r;
    bf_cp16(st + idx * 4, i < valid ? base + i * cols + c : base, i < valid);
  }
}

template <int D>
__device__ __forceinline__ void bf_async_put(const float* st, bf16* s) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < Stage<D>::N; e++) {
    const int idx = threadIdx.x + e * BF_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    bf_put4<D>(s, r, c, *reinterpret_cast<const float4*>(st + idx * 4));
  }
}

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

// Softmax exponentials in base 2: scores are scaled by scale·log2(e) and lse by log2(e) in one
// FMA, and ex2.approx (one MUFU op, ~2 ulp, far below bf16's rounding) replaces expf's accurate
// range-reduced sequence. ex2(-inf) = 0, so a masked score is set to -inf.
#define BF_LOG2E 1.4426950408889634f

__device__ __forceinline__ float bf_exp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}

#endif  // ATTENTION_BF16_TILES_CUH
