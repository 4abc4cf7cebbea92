// Ops over vocabulary rows, one block per row: fused softmax cross-entropy with its gradient
// (written in place when dlogits == logits), target log-probabilities and argmax. Row sums of
// exponentials are accumulated in double; per-row results go to device arrays that the host
// sums in row order.

// loss[row] = logsumexp(x) − x[t]; dlogits = (softmax(x) − onehot(t))·gradScale (zeros when t < 0).
extern "C" __global__ void cross_entropy_rows(const float* logits, const int* targets,
                                              float* dlogits, double* loss, int cols,
                                              float gradScale) {
  __shared__ double dscratch[32];
  __shared__ float fscratch[32];
  __shared__ float targetValue;
  const long long base = (long long)blockIdx.x * cols;
  const float* x = logits + base;
  const int t = targets[blockIdx.x];
  if (t < 0) {  // the whole block takes this branch
    if (dlogits != 0) {
      for (int c = threadIdx.x; c < cols; c += blockDim.x) dlogits[base + c] = 0.f;
    }
    if (threadIdx.x == 0) loss[blockIdx.x] = 0.0;
    return;
  }
  if (threadIdx.x == 0) targetValue = x[t];  // read before an in-place gradient overwrites it
  float mx = neg_inf();
  for (int c = threadIdx.x; c < cols; c += blockDim.x) mx = fmaxf(mx, x[c]);
  mx = block_max_f(mx, fscratch);
  double sum = 0.0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) sum += (double)expf(x[c] - mx);
  sum = block_sum_d(sum, dscratch);  // its barriers also publish targetValue
  if (threadIdx.x == 0) loss[blockIdx.x] = (double)mx + log(sum) - (double)targetValue;
  if (dlogits != 0) {
    const float k = (float)((double)gradScale / sum);
    float* g = dlogits + base;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
      float val = expf(x[c] - mx) * k;  // each thread reads its element before writing it
      if (c == t) val -= gradScale;
      g[c] = val;
    }
  }
}

// out[row] = log softmax(x)[t], 0 for ignored rows (t < 0).
extern "C" __global__ void target_logprob_rows(const float* logits, const int* targets,
                                               double* out, int cols) {
  __shared__ double dscratch[32];
  __shared__ float fscratch[32];
  const float* x = logits + (long long)blockIdx.x * cols;
  const int t = targets[blockIdx.x];
  if (t < 0) {
    if (threadIdx.x == 0) out[blockIdx.x] = 0.0;
    return;
  }
  float mx = neg_inf();
  for (int c = threadIdx.x; c < cols; c += blockDim.x) mx = fmaxf(mx, x[c]);
  mx = block_max_f(mx, fscratch);
  double sum = 0.0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) sum += (double)expf(x[c] - mx);
  sum = block_sum_d(sum, dscratch);
  if (threadIdx.x == 0) out[blockIdx.x] = (double)(x[t] - mx) - log(sum);
}

// True when (v, i) should win over (bv, bi): numbers beat NaN, larger beats smaller, and among
// equals the smaller index wins (the first maximum, as on the CPU).
__device__ __forceinline__ bool argmax_better(float v, int i, float bv, int bi) {
  const bool vNaN = v != v, bNaN = bv != bv;
  if (vNaN != bNaN) return bNaN;
  if (!vNaN && v != bv) return v > bv;
  return i < bi;
}

extern "C" __global__ void argmax_rows(const float* logits, int* out, int cols) {
  __shared__ float sv[32];
  __shared__ int si[32];
  const float* x = logits + (long long)blockIdx.x * cols;
  float best = __int_as_float(0x7fc00000);  // NaN with index "none": loses to every element
  int bestIndex = 0x7fffffff;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    if (argmax_better(x[c], c, best, bestIndex)) {
      best = x[c];
      bestIndex = c;
    }
  }
  for (int o = 16; o > 0; o >>= 1) {
    const float v = __shfl_xor_sync(FULL_MASK, best, o);
    const int i = __shfl_xor_sync(FULL_MASK, bestIndex, o);
    if (argmax_better(v, i, best, bestIndex)) {
      best = v;
      bestIndex = i;
    }
  }
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  if (lane == 0) {
    sv[warp] = best;
    si[warp] = bestIndex;
  }
  __syncthreads();
  if (warp == 0) {
    best = lane < warps ? sv[lane] : __int_as_float(0x7fc00000);
    bestIndex = lane < warps ? si[lane] : 0x7fffffff;
    for (int o = 16; o > 0; o >>= 1) {
      const float v = __shfl_xor_sync(FULL_MASK, best, o);
      const int i = __shfl_xor_sync(FULL_MASK, bestIndex, o);
      if (argmax_better(v, i, best, bestIndex)) {
        best = v;
        bestIndex = i;
      }
    }
    if (lane == 0) out[blockIdx.x] = bestIndex;
  }
}
