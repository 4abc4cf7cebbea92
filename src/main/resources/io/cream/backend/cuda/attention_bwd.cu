// Causal grouped-query attention, backward, float32, flash-attention style (same tiling as
// attention_fwd.cu). With P = exp(S − lse) recomputed from the saved log-sum-exp and
// D_i = Σ_c dO_i·O_i: dS = P∘(dO·Vᵀ − D), dQ = scale·dS·K, dK = scale·dSᵀ·Q, dV = Pᵀ·dO.
// Two kernels so that every output element has exactly one writer (no atomics, deterministic):
// attention_bwd_dq walks keys for a block of queries; attention_bwd_dkdv walks the queries of
// every head in the group for a block of keys.
#define ATT_WARPS 8
#define ATT_RPW 4
#define ATT_BQ (ATT_WARPS * ATT_RPW)
#define ATT_BK 32
#define ATT_MAXC 8

// delta[row·H + h] = Σ_c out·dout over that head's columns; one warp per (row, head).
extern "C" __global__ void attention_bwd_delta(const float* out, const float* dout, float* delta,
                                               int rows, int heads, int d) {
  const long long w = (blockIdx.x * (long long)blockDim.x + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  if (w >= (long long)rows * heads) return;  // whole warps leave together
  const long long base = w * d;  // row·H·d + h·d
  float s = 0.f;
  for (int c = lane; c < d; c += 32) s += out[base + c] * dout[base + c];
  s = warp_sum(s);
  if (lane == 0) delta[w] = s;
}

// Dynamic shared memory: Q and dO tiles [BQ × d] (broadcast reads), K and V tiles
// [BK × (d+1)] (lane j reads row j).
extern "C" __global__ void __launch_bounds__(256)
attention_bwd_dq(const float* __restrict__ q, const float* __restrict__ k,
                 const float* __restrict__ v, const float* __restrict__ lse,
                 const float* __restrict__ delta, const float* __restrict__ dout,
                 float* __restrict__ dq, int heads, int kvHeads, int d, int tq, int tk,
                 int kvStride, float scale) {
  extern __shared__ float smem[];
  const int dp = d + 1;
  float* sq = smem;
  float* sdo = sq + ATT_BQ * d;
  float* sk = sdo + ATT_BQ * d;
  float* sv = sk + ATT_BK * dp;
  const int h = blockIdx.y, b = blockIdx.z, kvh = h / (heads / kvHeads);
  const int q0 = blockIdx.x * ATT_BQ, offset = tk - tq;
  const long long qCols = (long long)heads * d, kvCols = (long long)kvHeads * d;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const long long qOff = (long long)b * tq * qCols + (long long)h * d;
  const float* kBase = k + (long long)b * kvStride * kvCols + (long long)kvh * d;
  const float* vBase = v + (long long)b * kvStride * kvCols + (long long)kvh * d;

  for (int idx = threadIdx.x; idx < ATT_BQ * d; idx += blockDim.x) {
    const int r = idx / d, c = idx - r * d, i = q0 + r;
    const bool ok = i < tq;
    sq[idx] = ok ? q[qOff + (long long)i * qCols + c] : 0.f;
    sdo[idx] = ok ? dout[qOff + (long long)i * qCols + c] : 0.f;
  }
  float rowLse[ATT_RPW], rowDelta[ATT_RPW], acc[ATT_RPW][ATT_MAXC];
#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    const int i = q0 + warp * ATT_RPW + r;
    const long long stat = ((long long)b * tq + i) * heads + h;
    rowLse[r] = i < tq ? lse[stat] : 0.f;
    rowDelta[r] = i < tq ? delta[stat] : 0.f;
#pragma unroll
    for (int cc = 0; cc < ATT_MAXC; cc++) acc[r][cc] = 0.f;
  }
  const int lastRow = min(q0 + ATT_BQ, tq) - 1;
  const int keyEnd = min(tk, lastRow + offset + 1);

  for (int k0 = 0; k0 < keyEnd; k0 += ATT_BK) {
    __syncthreads();
    for (int idx = threadIdx.x; idx < ATT_BK * d; idx += blockDim.x) {
      const int r = idx / d, c = idx - r * d, j = k0 + r;
      const bool ok = j < keyEnd;
      sk[r * dp + c] = ok ? kBase[(long long)j * kvCols + c] : 0.f;
      sv[r * dp + c] = ok ? vBase[(long long)j * kvCols + c] : 0.f;
    }
    __syncthreads();
    const int j = k0 + lane;
#pragma unroll
    for (int r = 0; r < ATT_RPW; r++) {
      const int row = warp * ATT_RPW + r, i = q0 + row;
      if (i >= tq) continue;
      float ds = 0.f;
      if (j < keyEnd && j <= i + offset) {
        const float* qr = sq + row * d;
        const float* dor = sdo + row * d;
        const float* kr = sk + lane * dp;
        const float* vr = sv + lane * dp;
        float dot = 0.f, dpv = 0.f;
        for (int c = 0; c < d; c++) {
          dot += qr[c] * kr[c];
          dpv += dor[c] * vr[c];
        }
        const float p = expf(dot * scale - rowLse[r]);
        ds = p * (dpv - rowDelta[r]);
      }
      for (int jj = 0; jj < ATT_BK; jj++) {
        const float dsj = __shfl_sync(FULL_MASK, ds, jj);
        const float* kr = sk + jj * dp;
#pragma unroll
        for (int cc = 0; cc < ATT_MAXC; cc++) {
          const int c = lane + 32 * cc;
          if (c < d) acc[r][cc] += dsj * kr[c];
        }
      }
    }
  }

#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    const int i = q0 + warp * ATT_RPW + r;
    if (i >= tq) continue;
#pragma unroll
    for (int cc = 0; cc < ATT_MAXC; cc++) {
      const int c = lane + 32 * cc;
      if (c < d) dq[qOff + (long long)i * qCols + c] = acc[r][cc] * scale;
    }
  }
}

// A block owns 32 keys of one (sequence, kv head); each warp 4 of them. For every query head of
// the group it streams the query rows that can see these keys (i ≥ k0 − offset) in tiles of 32:
// lane i scores query i of the tile against the warp's keys. Dynamic shared memory: K and V
// tiles [BK × d] (broadcast reads), Q and dO tiles [BQ × (d+1)], then lse and delta [BQ].
// Rows past tk (an unused KV-cache tail) are never written.
extern "C" __global__ void __launch_bounds__(256)
attention_bwd_dkdv(const float* __restrict__ q, const float* __restrict__ k,
                   const float* __restrict__ v, const float* __restrict__ lse,
                   const float* __restrict__ delta, const float* __restrict__ dout,
                   float* __restrict__ dk, float* __restrict__ dv, int heads, int kvHeads, int d,
                   int tq, int tk, int kvStride, float scale) {
  extern __shared__ float smem[];
  const int dp = d + 1;
  float* sk = smem;
  float* sv = sk + ATT_BK * d;
  float* sq = sv + ATT_BK * d;
  float* sdo = sq + ATT_BQ * dp;
  float* slse = sdo + ATT_BQ * dp;
  float* sdelta = slse + ATT_BQ;
  const int kvh = blockIdx.y, b = blockIdx.z, group = heads / kvHeads;
  const int k0 = blockIdx.x * ATT_BK, offset = tk - tq;
  const long long qCols = (long long)heads * d, kvCols = (long long)kvHeads * d;
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const long long kvOff = (long long)b * kvStride * kvCols + (long long)kvh * d;

  for (int idx = threadIdx.x; idx < ATT_BK * d; idx += blockDim.x) {
    const int r = idx / d, c = idx - r * d, j = k0 + r;
    const bool ok = j < tk;
    sk[idx] = ok ? k[kvOff + (long long)j * kvCols + c] : 0.f;
    sv[idx] = ok ? v[kvOff + (long long)j * kvCols + c] : 0.f;
  }
  float accK[ATT_RPW][ATT_MAXC], accV[ATT_RPW][ATT_MAXC];
#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
#pragma unroll
    for (int cc = 0; cc < ATT_MAXC; cc++) {
      accK[r][cc] = 0.f;
      accV[r][cc] = 0.f;
    }
  }
  const int firstQuery = max(0, k0 - offset);  // earlier queries cannot see key k0 or later

  for (int g = 0; g < group; g++) {
    const int h = kvh * group + g;
    const long long qOff = (long long)b * tq * qCols + (long long)h * d;
    for (int i0 = firstQuery; i0 < tq; i0 += ATT_BQ) {
      __syncthreads();
      for (int idx = threadIdx.x; idx < ATT_BQ * d; idx += blockDim.x) {
        const int r = idx / d, c = idx - r * d, i = i0 + r;
        const bool ok = i < tq;
        sq[r * dp + c] = ok ? q[qOff + (long long)i * qCols + c] : 0.f;
        sdo[r * dp + c] = ok ? dout[qOff + (long long)i * qCols + c] : 0.f;
      }
      if (threadIdx.x < ATT_BQ) {
        const int i = i0 + threadIdx.x;
        const long long stat = ((long long)b * tq + i) * heads + h;
        slse[threadIdx.x] = i < tq ? lse[stat] : 0.f;
        sdelta[threadIdx.x] = i < tq ? delta[stat] : 0.f;
      }
      __syncthreads();
      const int i = i0 + lane;
#pragma unroll
      for (int r = 0; r < ATT_RPW; r++) {
        const int key = warp * ATT_RPW + r, j = k0 + key;
        if (j >= tk) continue;  // warp-uniform
        float p = 0.f, ds = 0.f;
        if (i < tq && j <= i + offset) {
          const float* qr = sq + lane * dp;
          const float* dor = sdo + lane * dp;
          const float* kr = sk + key * d;
          const float* vr = sv + key * d;
          float dot = 0.f, dpv = 0.f;
          for (int c = 0; c < d; c++) {
            dot += qr[c] * kr[c];
            dpv += dor[c] * vr[c];
          }
          p = expf(dot * scale - slse[lane]);
          ds = p * (dpv - sdelta[lane]);
        }
        for (int ii = 0; ii < ATT_BQ; ii++) {
          const float pi = __shfl_sync(FULL_MASK, p, ii);
          const float dsi = __shfl_sync(FULL_MASK, ds, ii);
          const float* qr = sq + ii * dp;
          const float* dor = sdo + ii * dp;
#pragma unroll
          for (int cc = 0; cc < ATT_MAXC; cc++) {
            const int c = lane + 32 * cc;
            if (c < d) {
              accV[r][cc] += pi * dor[c];
              accK[r][cc] += dsi * qr[c];
            }
          }
        }
      }
    }
  }

#pragma unroll
  for (int r = 0; r < ATT_RPW; r++) {
    const int j = k0 + warp * ATT_RPW + r;
    if (j >= tk) continue;
#pragma unroll
    for (int cc = 0; cc < ATT_MAXC; cc++) {
      const int c = lane + 32 * cc;
      if (c < d) {
        dk[kvOff + (long long)j * kvCols + c] = accK[r][cc] * scale;
        dv[kvOff + (long long)j * kvCols + c] = accV[r][cc];
      }
    }
  }
}
