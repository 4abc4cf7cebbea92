// RMSNorm, one block per row: y = x·r·w with r = 1/√(mean(x²) + eps), the mean in double; y is
// float32, or bf16 where it only feeds matrix products (rmsnorm_fwd_bf16).
// Backward with g = dy∘w: dx = r·g − x·r³·(g·x)/C; the weight gradient Σ_rows dy∘x·r goes through
// rmsnorm_dw_partial and reduce.cu's colsum_finish (deterministic, no atomics).

extern "C" __global__ void rmsnorm_fwd(const float* x, const float* w, float* y, float* rstd,
                                       int cols, float eps) {
  __shared__ double scratch[32];
  const long long base = (long long)blockIdx.x * cols;
  double ss = 0.0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const double v = x[base + c];
    ss += v * v;
  }
  ss = block_sum_d(ss, scratch);
  const float inv = (float)(1.0 / sqrt(ss / cols + (double)eps));
  if (threadIdx.x == 0) rstd[blockIdx.x] = inv;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) y[base + c] = x[base + c] * inv * w[c];
}

// rmsnorm_fwd with a bf16 y: the input of the next matrix products, rounded once here.
extern "C" __global__ void rmsnorm_fwd_bf16(const float* x, const float* w, unsigned short* y,
                                            float* rstd, int cols, float eps) {
  __shared__ double scratch[32];
  const long long base = (long long)blockIdx.x * cols;
  double ss = 0.0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const double v = x[base + c];
    ss += v * v;
  }
  ss = block_sum_d(ss, scratch);
  const float inv = (float)(1.0 / sqrt(ss / cols + (double)eps));
  if (threadIdx.x == 0) rstd[blockIdx.x] = inv;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    y[base + c] = f32_to_bf16_rne(x[base + c] * inv * w[c]);
  }
}

extern "C" __global__ void rmsnorm_bwd_dx(const float* dy, const float* x, const float* w,
                                          const float* rstd, float* dx, int cols,
                                          int accumulate) {
  __shared__ double scratch[32];
  const long long base = (long long)blockIdx.x * cols;
  double gx = 0.0;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const float g = dy[base + c] * w[c];
    gx += (double)g * x[base + c];
  }
  gx = block_sum_d(gx, scratch);
  const double inv = rstd[blockIdx.x];
  const float a = (float)inv;
  const float b = (float)(inv * inv * inv * gx / cols);
  for (int c = threadIdx.x; c < cols; c += blockDim.x) {
    const float g = dy[base + c] * w[c];
    const float v = a * g - b * x[base + c];
    dx[base + c] = accumulate ? dx[base + c] + v : v;
  }
}

// partial[chunk][c] = Σ dy[r][c]·x[r][c]·rstd[r] over the rows of chunk (blockIdx.y).
extern "C" __global__ void rmsnorm_dw_partial(const float* dy, const float* x, const float* rstd,
                                              int rows, int cols, int rowsPerChunk,
                                              double* partial) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  const int r0 = blockIdx.y * rowsPerChunk;
  const int r1 = min(rows, r0 + rowsPerChunk);
  double s = 0.0;
  for (int r = r0; r < r1; r++) {
    const long long i = (long long)r * cols + c;
    s += (double)dy[i] * x[i] * (double)rstd[r];
  }
  partial[(long long)blockIdx.y * cols + c] = s;
}
