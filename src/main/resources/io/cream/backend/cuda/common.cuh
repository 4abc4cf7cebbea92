// Helpers shared by every kernel file; the loader prepends this text to each .cu source (NVRTC
// sees no host headers, so nothing here includes one). Reductions run in a fixed order, so every
// result is the same from run to run. Block reductions need blockDim.x to be a multiple of 32.
#define FULL_MASK 0xffffffffu

__device__ __forceinline__ float neg_inf() { return __int_as_float(0xff800000); }

__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, o));
  return v;
}

__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

__device__ __forceinline__ double warp_sum_d(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
  return v;
}

// Sum over the block, returned to every thread; scratch holds 32 doubles in shared memory.
__device__ double block_sum_d(double v, double* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = warp_sum_d(v);
  __syncthreads();  // an earlier call may still be reading scratch[0]
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < warps ? scratch[lane] : 0.0;
    v = warp_sum_d(v);
    if (lane == 0) scratch[0] = v;
  }
  __syncthreads();
  return scratch[0];
}

// Maximum over the block, returned to every thread; scratch holds 32 floats in shared memory.
__device__ float block_max_f(float v, float* scratch) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  v = warp_max(v);
  __syncthreads();
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  if (warp == 0) {
    v = lane < warps ? scratch[lane] : neg_inf();
    v = warp_max(v);
    if (lane == 0) scratch[0] = v;
  }
  __syncthreads();
  return scratch[0];
}

// Grid-stride loop over [0, n) with 64-bit indices.
#define GRID_LOOP(i, n)                                                        \
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

// float32 → bfloat16 (the top 16 bits), rounded to nearest, ties to even: adding 0x7fff plus the
// lowest kept bit carries into the kept bits exactly when the dropped half is above one half ULP,
// or equal to it with the kept value odd; finite values past the largest bf16 become ±inf. NaN
// stays NaN (the carry could turn it into inf): sign and top payload bits kept, quiet bit set.
__device__ __forceinline__ unsigned short f32_to_bf16_rne(float f) {
  const unsigned int u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x0040u);
  return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
