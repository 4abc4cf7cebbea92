// The optimizer step: AdamW on one tensor, and over all parameters at once with global-norm
// clipping folded in. The multi-tensor kernels see the parameters as one list of fixed-size
// chunks (a tensor's last chunk may be short): a table holds each tensor's pointers, size and
// first chunk, a block finds the tensor of a chunk by binary search over the first chunks.

// One AdamW element, every operation rounded on its own (no fused multiply-add) in the CPU
// backend's order, so the GPU and the CPU take bit-identical steps and data-parallel or resumed
// runs do not drift apart between devices. g is the (already clipped) gradient.
__device__ __forceinline__ void adamw_one(float& p, float g, float& m, float& v, float beta1,
                                          float beta2, float c1, float c2, float eps,
                                          float decay, float stepSize, float invSqrtBc2) {
  const float mi = __fadd_rn(__fmul_rn(m, beta1), __fmul_rn(g, c1));
  const float vi = __fadd_rn(__fmul_rn(v, beta2), __fmul_rn(__fmul_rn(g, g), c2));
  m = mi;
  v = vi;
  const float denom = __fadd_rn(__fmul_rn(sqrtf(vi), invSqrtBc2), eps);
  p = __fsub_rn(__fmul_rn(p, decay), __fdiv_rn(__fmul_rn(stepSize, mi), denom));
}

// One AdamW step; decay = 1 − lr·wd, stepSize = lr/(1 − β1ᵗ), invSqrtBc2 = 1/√(1 − β2ᵗ) come
// from the host (computed in double there).
extern "C" __global__ void adamw_f32(float* p, const float* g, float* m, float* v, long long n,
                                     float beta1, float beta2, float eps, float decay,
                                     float stepSize, float invSqrtBc2) {
  const float c1 = 1.f - beta1, c2 = 1.f - beta2;
  GRID_LOOP(i, n) {
    float pi = p[i], mi = m[i], vi = v[i];
    adamw_one(pi, g[i], mi, vi, beta1, beta2, c1, c2, eps, decay, stepSize, invSqrtBc2);
    p[i] = pi;
    m[i] = mi;
    v[i] = vi;
  }
}

// The tensor table, one row of MT_TABLE_COLS 64-bit words per tensor:
// p, g, m, v (device addresses), n (elements), firstChunk; row count + 1 holds the chunk total.
#define MT_TABLE_COLS 6
#define MT_CHUNK 16384

// The tensor whose chunks include chunk c: the last row with firstChunk ≤ c.
__device__ __forceinline__ int tensor_of_chunk(const long long* table, int count, long long c) {
  int lo = 0, hi = count - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) >> 1;
    if (table[mid * MT_TABLE_COLS + 5] <= c) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

// partial[block] = Σ g² over the chunks this block visits (grid-stride over chunks, in order);
// the grid depends only on the chunk count, so the sum is the same on every run.
extern "C" __global__ void sumsq_multi(const long long* table, int count, double* partial) {
  __shared__ double scratch[32];
  const long long chunks = table[count * MT_TABLE_COLS];
  double s = 0.0;
  for (long long c = blockIdx.x; c < chunks; c += gridDim.x) {
    const long long* row = table + tensor_of_chunk(table, count, c) * MT_TABLE_COLS;
    const float* g = reinterpret_cast<const float*>(row[1]);
    const long long start = (c - row[5]) * MT_CHUNK;
    const long long end = min(row[4], start + MT_CHUNK);
    for (long long i = start + threadIdx.x; i < end; i += blockDim.x) {
      const double x = g[i];
      s += x * x;
    }
  }
  s = block_sum_d(s, scratch);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// AdamW over every tensor of the table with the gradients clipped to a global norm read from
// the device: norm = √sumsq[0]; scale = maxNorm / norm (rounded to float, as the host did) when
// maxNorm > 0 and norm > maxNorm, else 1; the gradient used is g·scale (rounded, like the CPU's
// scale pass, and left unchanged in memory). A non-finite norm changes nothing.
extern "C" __global__ void adamw_clip_multi(const long long* table, int count,
                                            const double* sumsq, double maxNorm, float beta1,
                                            float beta2, float eps, float decay, float stepSize,
                                            float invSqrtBc2) {
  const double norm = sqrt(sumsq[0]);
  if (!isfinite(norm)) return;
  const float scale = maxNorm > 0.0 && norm > maxNorm ? (float)(maxNorm / norm) : 1.f;
  const float c1 = 1.f - beta1, c2 = 1.f - beta2;
  const long long chunks = table[count * MT_TABLE_COLS];
  for (long long c = blockIdx.x; c < chunks; c += gridDim.x) {
    const long long* row = table + tensor_of_chunk(table, count, c) * MT_TABLE_COLS;
    float* p = reinterpret_cast<float*>(row[0]);
    const float* g = reinterpret_cast<const float*>(row[1]);
    float* m = reinterpret_cast<float*>(row[2]);
    float* v = reinterpret_cast<float*>(row[3]);
    const long long start = (c - row[5]) * MT_CHUNK;
    const long long end = min(row[4], start + MT_CHUNK);
    const bool wide = ((row[0] | row[1] | row[2] | row[3]) & 15ll) == 0;
    long long i = start;
    if (wide) {  // 16-byte accesses over the chunk's whole quads (start is a multiple of 4)
      const long long quads = (end - start) >> 2;
      for (long long q = threadIdx.x; q < quads; q += blockDim.x) {
        const long long at = (start >> 2) + q;
        float4 pq = reinterpret_cast<float4*>(p)[at];
        const float4 gq = reinterpret_cast<const float4*>(g)[at];
        float4 mq = reinterpret_cast<float4*>(m)[at];
        float4 vq = reinterpret_cast<float4*>(v)[at];
        adamw_one(pq.x, __fmul_rn(gq.x, scale), mq.x, vq.x, beta1, beta2, c1, c2, eps, decay,
                  stepSize, invSqrtBc2);
        adamw_one(pq.y, __fmul_rn(gq.y, scale), mq.y, vq.y, beta1, beta2, c1, c2, eps, decay,
                  stepSize, invSqrtBc2);
        adamw_one(pq.z, __fmul_rn(gq.z, scale), mq.z, vq.z, beta1, beta2, c1, c2, eps, decay,
                  stepSize, invSqrtBc2);
        adamw_one(pq.w, __fmul_rn(gq.w, scale), mq.w, vq.w, beta1, beta2, c1, c2, eps, decay,
                  stepSize, invSqrtBc2);
        reinterpret_cast<float4*>(p)[at] = pq;
        reinterpret_cast<float4*>(m)[at] = mq;
        reinterpret_cast<float4*>(v)[at] = vq;
      }
      i = start + 4 * quads;
    }
    for (i += threadIdx.x; i < end; i += blockDim.x) {
      float pi = p[i], mi = m[i], vi = v[i];
      adamw_one(pi, __fmul_rn(g[i], scale), mi, vi, beta1, beta2, c1, c2, eps, decay, stepSize,
                invSqrtBc2);
      p[i] = pi;
      m[i] = mi;
      v[i] = vi;
    }
  }
}
