// What the tensor-core attention kernels share, whatever their operand type (attention_tc.cu with
// TF32, attention_bf16_fwd.cu / attention_bf16_bwd.cu with bf16): blocks of 4 warps that each own
// 16 rows of an mma C tile (g = lane / 4, t = lane % 4: rows g, g+8 × cols 2t, 2t+1 of every 8
// columns), 32-row tiles staged in registers, the row statistics of a four-lane group, and the
// stores of the finished rows. KernelLibrary pastes this text where a kernel file includes it
// (NVRTC reads no files); the guard keeps one copy when several files form one unit.
#ifndef ATTENTION_TILES_CUH
#define ATTENTION_TILES_CUH

#define TILE_THREADS 128  // 4 warps × 16 rows
#define TILE_LN2 0.6931471805599453f

// Max and sum over the four lanes (one row of a C tile) of a group.
__device__ __forceinline__ float group_max(float v) {
  v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, 1));
  return fmaxf(v, __shfl_xor_sync(FULL_MASK, v, 2));
}

__device__ __forceinline__ float group_sum(float v) {
  v += __shfl_xor_sync(FULL_MASK, v, 1);
  return v + __shfl_xor_sync(FULL_MASK, v, 2);
}

// A 32-row fp32 tile held in registers between its global loads and its shared-memory store, so
// that the loads of the next tile overlap the products of the current one.
template <int D>
struct Stage {
  static constexpr int N = 32 * D / 4 / TILE_THREADS;  // float4 per thread
  float4 x[N];
};

// Issues the loads of rows [row0, row0 + 32) (zero at or past `valid`) without waiting for them.
template <int D>
__device__ __forceinline__ void stage_fetch(Stage<D>& st, const float* base, long long cols,
                                            int row0, int valid) {
  constexpr int V4 = D / 4;
#pragma unroll
  for (int e = 0; e < Stage<D>::N; e++) {
    const int idx = threadIdx.x + e * TILE_THREADS, r = idx / V4, c = (idx - r * V4) * 4;
    const int i = row0 + r;
    st.x[e] = i < valid ? *reinterpret_cast<const float4*>(base + i * cols + c)
                        : make_float4(0.f, 0.f, 0.f, 0.f);
  }
}

// The warp's normalised output rows i0, i1 and their lse (natural log), or with splits > 1 the
// partial output and lse of key part `part` for attention_tc_combine. BASE2: the running maxima
// m0, m1 are in log2 units.
template <int D, bool BASE2>
__device__ __forceinline__ void store_out_rows(const float (*o)[4], float m0, float m1, float l0,
                                               float l1, float* out, float* lse, int heads,
                                               int tq, int splits, int part, int b, int h, int i0,
                                               int i1, int t) {
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
      const float value =
          l > 0.f ? (BASE2 ? (half ? m1 : m0) * TILE_LN2 : (half ? m1 : m0)) + logf(l) : neg_inf();
      lse[(splits > 1 ? part * rows + r : r) * heads + h] = value;
    }
  }
}

// The warp's dQ rows i0, i1 (at qOff of dq, rows qCols apart), times scale.
template <int D>
__device__ __forceinline__ void store_dq_rows(float* dq, const float (*acc)[4], long long qOff,
                                              long long qCols, float scale, int i0, int i1,
                                              int tq, int t) {
  constexpr int ND = D / 8;
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

// The warp's dK (times scale) and dV rows r0, r1 (at kvOff, rows kvCols apart).
template <int D>
__device__ __forceinline__ void store_dkdv_rows(float* dk, float* dv, const float (*dka)[4],
                                                const float (*dva)[4], long long kvOff,
                                                long long kvCols, float scale, int r0, int r1,
                                                int tk, int t) {
  constexpr int ND = D / 8;
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

#endif  // ATTENTION_TILES_CUH
