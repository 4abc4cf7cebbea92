// Elementwise ops over whole tensors (float32): residual add, scale, SwiGLU and its backward,
// the linear layer's bias, and the bf16 rounding of GEMM operands (AdamW is in optimizer.cu).

extern "C" __global__ void add_f32(float* a, const float* b, long long n) {
  GRID_LOOP(i, n) a[i] += b[i];
}

extern "C" __global__ void scale_f32(float* x, long long n, float factor) {
  GRID_LOOP(i, n) x[i] *= factor;
}

// out[r][c] += bias[c]
extern "C" __global__ void add_bias_f32(float* out, const float* bias, long long n, int cols) {
  GRID_LOOP(i, n) out[i] += bias[i % cols];
}

// out = silu(g)·u with silu(g) = g·σ(g); σ saturates to exactly 0 or 1, never NaN.
extern "C" __global__ void swiglu_fwd(const float* gate, const float* up, float* out,
                                      long long n) {
  GRID_LOOP(i, n) {
    const float g = gate[i];
    const float s = 1.f / (1.f + expf(-g));
    out[i] = g * s * up[i];
  }
}

// dGate = dOut·u·σ(g)·(1 + g·(1 − σ(g))), dUp = dOut·g·σ(g)
extern "C" __global__ void swiglu_bwd(const float* dout, const float* gate, const float* up,
                                      float* dgate, float* dup, long long n) {
  GRID_LOOP(i, n) {
    const float d = dout[i], g = gate[i], u = up[i];
    const float s = 1.f / (1.f + expf(-g));
    dgate[i] = d * u * s * (1.f + g * (1.f - s));
    dup[i] = d * g * s;
  }
}

// float32 → bfloat16 (the top 16 bits), rounded to nearest, ties to even: adding 0x7fff plus the
// lowest kept bit carries into the kept bits exactly when the dropped half is above one half ULP,
// or equal to it with the kept value odd; finite values past the largest bf16 become ±inf. NaN
// stays NaN (the carry could turn it into inf): sign and top payload bits kept, quiet bit set.
__device__ __forceinline__ unsigned short f32_to_bf16_rne(float f) {
  const unsigned int u = __float_as_uint(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((u >> 16) | 0x0040u);
  return (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

// dst[i] = bf16(src[i]): GEMM operands for the tensor cores. Bandwidth-bound: 16-byte loads and
// 8-byte stores where both pointers allow, one element per step otherwise and for the tail.
extern "C" __global__ void f32_to_bf16(const float* src, unsigned short* dst, long long n) {
  const bool wide = ((unsigned long long)src & 15ull) == 0 && ((unsigned long long)dst & 7ull) == 0;
  const long long quads = wide ? n / 4 : 0;
  const float4* src4 = reinterpret_cast<const float4*>(src);
  uint2* dst4 = reinterpret_cast<uint2*>(dst);
  GRID_LOOP(i, quads) {
    const float4 v = src4[i];
    const unsigned int lo = f32_to_bf16_rne(v.x) | ((unsigned int)f32_to_bf16_rne(v.y) << 16);
    const unsigned int hi = f32_to_bf16_rne(v.z) | ((unsigned int)f32_to_bf16_rne(v.w) << 16);
    dst4[i] = make_uint2(lo, hi);
  }
  GRID_LOOP(j, n - 4 * quads) {
    const long long i = 4 * quads + j;
    dst[i] = f32_to_bf16_rne(src[i]);
  }
}
