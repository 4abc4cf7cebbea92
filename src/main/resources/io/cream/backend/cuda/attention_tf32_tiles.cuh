// TF32 operands of mma.sync m16n8k8 for attention_tc.cu: the hi/lo split, fragment loads from
// shared tiles, the tile products and the staging of fp32 tiles into shared memory. The fragment
// layout, the bank-conflict-free strides and why SPLIT = 0 reads with ldmatrix are explained at
// the top of attention_tc.cu.
#ifndef ATTENTION_TF32_TILES_CUH
#define ATTENTION_TF32_TILES_CUH

#include "attention_tiles.cuh"

#define TC_THREADS TILE_THREADS
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

template <int D, bool SPLIT>
__device__ __forceinline__ void stage_put(const Stage<D>& st, float* s) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < Stage<D>::N; e++) {
    const int idx = threadIdx.x + e * TC_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    *reinterpret_cast<float4*>(s + r * (D + 4) + c) = operand4<SPLIT>(st.x[e]);
  }
}

#endif  // ATTENTION_TF32_TILES_CUH
