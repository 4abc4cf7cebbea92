// Deterministic reductions in double: a first pass writes one partial per block (or per row
// chunk), a second sums the partials in a fixed order. No atomics, so results never vary.

// partial[block] = Σ x² over the elements this block visits (grid-stride).
extern "C" __global__ void sumsq_partial(const float* x, long long n, double* partial) {
  __shared__ double scratch[32];
  double s = 0.0;
  GRID_LOOP(i, n) {
    const double v = x[i];
    s += v * v;
  }
  s = block_sum_d(s, scratch);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

// out[0] = Σ partial[0..count); one block.
extern "C" __global__ void sum_partials(const double* partial, int count, double* out) {
  __shared__ double scratch[32];
  double s = 0.0;
  for (int i = threadIdx.x; i < count; i += blockDim.x) s += partial[i];
  s = block_sum_d(s, scratch);
  if (threadIdx.x == 0) out[0] = s;
}

// partial[chunk][c] = Σ x[r][c] over the rows of chunk (blockIdx.y); one thread per column.
extern "C" __global__ void colsum_partial(const float* x, int rows, int cols, int rowsPerChunk,
                                          double* partial) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  const int r0 = blockIdx.y * rowsPerChunk;
  const int r1 = min(rows, r0 + rowsPerChunk);
  double s = 0.0;
  for (int r = r0; r < r1; r++) s += x[(long long)r * cols + c];
  partial[(long long)blockIdx.y * cols + c] = s;
}

// out[c] += (float) Σ_chunk partial[chunk][c]
extern "C" __global__ void colsum_finish(const double* partial, int chunks, int cols,
                                         float* out) {
  const int c = blockIdx.x * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  double s = 0.0;
  for (int k = 0; k < chunks; k++) s += partial[(long long)k * cols + c];
  out[c] += (float)s;
}
