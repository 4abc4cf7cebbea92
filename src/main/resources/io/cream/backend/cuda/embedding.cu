// Token embedding: a row gather, and its backward as a deterministic scatter-add done entirely on
// the device. Sort-free: block g owns the table rows [g·R, g·R + R) and walks the whole id list
// in row order, so every (table row, column) is updated by one thread, adding the rows of its id
// in row order: no atomics, no host-side grouping, the same sums (bit for bit) as the CPU.

extern "C" __global__ void embedding_fwd(const float* table, const int* ids, float* out,
                                         int cols) {
  const long long src = (long long)ids[blockIdx.x] * cols;
  const long long dst = (long long)blockIdx.x * cols;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) out[dst + c] = table[src + c];
}

// dst[c] += src[c] for c < cols by the whole block; float4 when wide (cols % 4 == 0, aligned).
__device__ __forceinline__ void add_row(const float* src, float* dst, int cols, bool wide) {
  if (wide) {
    const float4* s4 = reinterpret_cast<const float4*>(src);
    float4* d4 = reinterpret_cast<float4*>(dst);
    for (int c = threadIdx.x; c < (cols >> 2); c += blockDim.x) {
      const float4 s = s4[c];
      float4 d = d4[c];
      d.x += s.x;
      d.y += s.y;
      d.z += s.z;
      d.w += s.w;
      d4[c] = d;
    }
  } else {
    for (int c = threadIdx.x; c < cols; c += blockDim.x) dst[c] += src[c];
  }
}

// grid (ceil(V / rowsPerGroup)), block 256 (a multiple of 32, at most 1024). Each tile of
// blockDim ids is compacted in row order (warp ballots, then a prefix over the warps) into the
// rows that hit this block's table rows; the block then adds those dOut rows one after another.
extern "C" __global__ void embedding_bwd(const float* dout, const int* ids, int n, float* dtable,
                                         int cols, int rowsPerGroup) {
  __shared__ int hitRow[1024];
  __shared__ int warpHits[32];
  const int lo = blockIdx.x * rowsPerGroup, hi = lo + rowsPerGroup;
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  const bool wide = (cols & 3) == 0 && (((unsigned long long)dout | (unsigned long long)dtable)
                                        & 15ull) == 0;
  for (int base = 0; base < n; base += blockDim.x) {
    const int r = base + threadIdx.x;
    const int id = r < n ? ids[r] : -1;
    const bool hit = id >= lo && id < hi;
    const unsigned mask = __ballot_sync(FULL_MASK, hit);
    if (lane == 0) warpHits[warp] = __popc(mask);
    __syncthreads();
    int before = 0, total = 0;
    for (int w = 0; w < warps; w++) {
      const int h = warpHits[w];
      before += w < warp ? h : 0;
      total += h;
    }
    if (hit) hitRow[before + __popc(mask & ((1u << lane) - 1u))] = r;
    __syncthreads();
    for (int k = 0; k < total; k++) {
      const int row = hitRow[k];
      add_row(dout + (long long)row * cols, dtable + (long long)ids[row] * cols, cols, wide);
    }
    __syncthreads();  // hitRow and warpHits are rewritten by the next tile
  }
}
