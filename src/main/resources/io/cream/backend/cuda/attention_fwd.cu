// Causal grouped-query attention, forward, float32, flash-attention style: a block takes 32 query
// rows of one (sequence, head) and streams the keys in tiles of 32 through shared memory with an
// online softmax, so memory stays O(T·d) and no T × T matrix exists. Each warp owns 4 query rows;
// lane j scores key j of the tile, then the warp folds the tile's probabilities into its output
// rows (lane owns columns lane, lane + 32, ...). Writes out and lse = m + log(l) per (row, head).
//
// Layout (see AttentionShape): q [B·Tq × H·d], k and v [B·stride × KV·d]; query i of a sequence
// sees keys j ≤ i + (Tk − Tq); head h reads kv head h / (H / KV). headDim ≤ 32·ATT_MAXC.
#define ATT_WARPS 8
#define ATT_RPW 4
#define ATT_BQ (ATT_WARPS * ATT_RPW)
#define ATT_BK 32
#define ATT_MAXC 8

// Dynamic shared memory: Q tile [BQ × d], K tile [BK × (d+1)] (padded: lanes read different
// rows), V tile [BK × d].
extern "C" __global__ void __launch_bounds__(256)
attention_fwd(const float* __restrict__ q, const float* __restrict__ k,
              const float* __restrict__ v, float* __restrict__ out, float* __restrict__ lse,
              int heads, int kvHeads, int d, int tq, int tk, int kvStride, float scale) {
  extern __shared__ float smem[];
  const int dp = d + 1;
  float* sq = smem;
  float* sk = sq + ATT_BQ * d;
  float* sv = sk + ATT_BK * dp;
  const int h = blockIdx.y, b = blockIdx.z, kvh = h / (heads / kvHeads);
  const int q0 = blockIdx.x * ATT_BQ, offset = tk - tq;
  const long long qCols = (long long)heads * d, kvCols = (long long)kvHeads * d;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const float* qBase = q + (long long)b * tq * qCols + (long long)h * d;
  const float* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * d;
  const float* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * d;

  for (int idx = threadIdx.x; idx < ATT_BQ * d; idx += blockDim.x) {
    const int r = idx / d, c = idx - r * d, i = q0 + r;
    sq[idx] = i < tq ? qBase[(long long)i * qCols + c] : 0.f;
  }
  float m[ATT_RPW], l[ATT_RPW], acc[ATT_RPW][ATT_MAXC];
#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    m[r] = neg_inf();
    l[r] = 0.f;
#pragma unroll
    for (int cc = 0; cc < ATT_MAXC; cc++) acc[r][cc] = 0.f;
  }
  const int lastRow = min(q0 + ATT_BQ, tq) - 1;
  const int keyEnd = min(tk, lastRow + offset + 1);  // this block needs keys [0, keyEnd)

  for (int k0 = 0; k0 < keyEnd; k0 += ATT_BK) {
    __syncthreads();  // the previous tile is no longer read
    for (int idx = threadIdx.x; idx < ATT_BK * d; idx += blockDim.x) {
      const int r = idx / d, c = idx - r * d, j = k0 + r;
      const bool ok = j < keyEnd;
      sk[r * dp + c] = ok ? kBase[(long long)j * kvCols + c] : 0.f;
      sv[r * d + c] = ok ? vBase[(long long)j * kvCols + c] : 0.f;
    }
    __syncthreads();
    const int j = k0 + lane;
#pragma unroll
    for (int r = 0; r < ATT_RPW; r++) {
      const int row = warp * ATT_RPW + r, i = q0 + row;
      if (i >= tq) continue;  // the same for the whole warp
      float s = neg_inf();
      if (j < keyEnd && j <= i + offset) {
        const float* qr = sq + row * d;
        const float* kr = sk + lane * dp;
        float dot = 0.f;
        for (int c = 0; c < d; c++) dot += qr[c] * kr[c];
        s = dot * scale;
      }
      const float mNew = fmaxf(m[r], warp_max(s));
      if (mNew == neg_inf()) continue;  // nothing visible yet (warp-uniform)
      const float alpha = expf(m[r] - mNew);
      const float p = expf(s - mNew);
      l[r] = l[r] * alpha + warp_sum(p);
#pragma unroll
      for (int cc = 0; cc < ATT_MAXC; cc++) acc[r][cc] *= alpha;
      for (int jj = 0; jj < ATT_BK; jj++) {
        const float pj = __shfl_sync(FULL_MASK, p, jj);
        const float* vr = sv + jj * d;
#pragma unroll
        for (int cc = 0; cc < ATT_MAXC; cc++) {
          const int c = lane + 32 * cc;
          if (c < d) acc[r][cc] += pj * vr[c];
        }
      }
      m[r] = mNew;
    }
  }

#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    const int i = q0 + warp * ATT_RPW + r;
    if (i >= tq) continue;
    const long long row = (long long)b * tq + i;
    const float invL = 1.f / l[r];
#pragma unroll
    for (int cc = 0; cc < ATT_MAXC; cc++) {
      const int c = lane + 32 * cc;
      if (c < d) out[row * qCols + (long long)h * d + c] = acc[r][cc] * invL;
    }
    if (lane == 0) lse[row * heads + h] = m[r] + logf(l[r]);
  }
}
