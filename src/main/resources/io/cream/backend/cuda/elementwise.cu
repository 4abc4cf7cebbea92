// Elementwise ops over whole tensors (float32): residual add, scale, SwiGLU and its backward
// (with a float32 or bf16 output), the linear layer's bias, and the bf16 rounding of GEMM
// operands (AdamW is in optimizer.cu).

__device__ __forceinline__ bool aligned16(const void* p) {
  return ((unsigned long long)p & 15ull) == 0;
}

// a += b; 16-byte accesses where both pointers allow (see swiglu_fwd).
extern "C" __global__ void add_f32(float* a, const float* b, long long n) {
  const long long quads = aligned16(a) && aligned16(b) ? n / 4 : 0;
  GRID_LOOP(q, quads) {
    float4 x = reinterpret_cast<float4*>(a)[q];
    const float4 y = reinterpret_cast<const float4*>(b)[q];
    x.x += y.x;
    x.y += y.y;
    x.z += y.z;
    x.w += y.w;
    reinterpret_cast<float4*>(a)[q] = x;
  }
  GRID_LOOP(j, n - 4 * quads) a[4 * quads + j] += b[4 * quads + j];
}

extern "C" __global__ void scale_f32(float* x, long long n, float factor) {
  GRID_LOOP(i, n) x[i] *= factor;
}

// out[r][c] += bias[c]
extern "C" __global__ void add_bias_f32(float* out, const float* bias, long long n, int cols) {
  GRID_LOOP(i, n) out[i] += bias[i % cols];
}

// out = silu(g)·u with silu(g) = g·σ(g); σ saturates to exactly 0 or 1, never NaN.
__device__ __forceinline__ float swiglu_one(float g, float u) {
  const float s = 1.f / (1.f + expf(-g));
  return g * s * u;
}

// dGate = dOut·u·σ(g)·(1 + g·(1 − σ(g))), dUp = dOut·g·σ(g)
__device__ __forceinline__ void swiglu_bwd_one(float d, float g, float u, float& dg, float& du) {
  const float s = 1.f / (1.f + expf(-g));
  dg = d * u * s * (1.f + g * (1.f - s));
  du = d * g * s;
}

// Stores of four results (16 bytes of fp32, or 8 of their bf16 roundings, nearest even) and of
// one, and whether a pointer allows the four-wide store.
__device__ __forceinline__ void store4(float* p, long long q, float4 v) {
  reinterpret_cast<float4*>(p)[q] = v;
}
__device__ __forceinline__ void store4(unsigned short* p, long long q, float4 v) {
  reinterpret_cast<uint2*>(p)[q] =
      make_uint2(f32_to_bf16_rne(v.x) | ((unsigned int)f32_to_bf16_rne(v.y) << 16),
                 f32_to_bf16_rne(v.z) | ((unsigned int)f32_to_bf16_rne(v.w) << 16));
}
__device__ __forceinline__ void store1(float* p, long long i, float v) { p[i] = v; }
__device__ __forceinline__ void store1(unsigned short* p, long long i, float v) {
  p[i] = f32_to_bf16_rne(v);
}
__device__ __forceinline__ bool wide_ok(const float* p) { return aligned16(p); }
__device__ __forceinline__ bool wide_ok(const unsigned short* p) {
  return ((unsigned long long)p & 7ull) == 0;
}

// Bandwidth-bound: 16-byte loads over the quads where every pointer allows, then the tail (or
// everything, when one pointer is misaligned) one element at a time. Out = float, or unsigned
// short for a bf16 output (the input of down_proj, rounded once here instead of before the
// product and again before its weight-gradient product).
template <typename Out>
__device__ __forceinline__ void swiglu_fwd_impl(const float* gate, const float* up, Out* out,
                                                long long n) {
  const long long quads = aligned16(gate) && aligned16(up) && wide_ok(out) ? n / 4 : 0;
  GRID_LOOP(q, quads) {
    const float4 g = reinterpret_cast<const float4*>(gate)[q];
    const float4 u = reinterpret_cast<const float4*>(up)[q];
    store4(out, q, make_float4(swiglu_one(g.x, u.x), swiglu_one(g.y, u.y), swiglu_one(g.z, u.z),
                               swiglu_one(g.w, u.w)));
  }
  GRID_LOOP(j, n - 4 * quads) {
    const long long i = 4 * quads + j;
    store1(out, i, swiglu_one(gate[i], up[i]));
  }
}

extern "C" __global__ void swiglu_fwd(const float* gate, const float* up, float* out,
                                      long long n) {
  swiglu_fwd_impl(gate, up, out, n);
}

extern "C" __global__ void swiglu_fwd_bf16(const float* gate, const float* up,
                                           unsigned short* out, long long n) {
  swiglu_fwd_impl(gate, up, out, n);
}

// Out = unsigned short: bf16 dgate, dup, the dy of the gate and up projections' backward, rounded
// here (nearest even, as f32_to_bf16 would round them right before the products).
template <typename Out>
__device__ __forceinline__ void swiglu_bwd_impl(const float* dout, const float* gate,
                                                const float* up, Out* dgate, Out* dup,
                                                long long n) {
  const bool wide = aligned16(dout) && aligned16(gate) && aligned16(up) && wide_ok(dgate)
                    && wide_ok(dup);
  const long long quads = wide ? n / 4 : 0;
  GRID_LOOP(q, quads) {
    const float4 d = reinterpret_cast<const float4*>(dout)[q];
    const float4 g = reinterpret_cast<const float4*>(gate)[q];
    const float4 u = reinterpret_cast<const float4*>(up)[q];
    float4 dg, du;
    swiglu_bwd_one(d.x, g.x, u.x, dg.x, du.x);
    swiglu_bwd_one(d.y, g.y, u.y, dg.y, du.y);
    swiglu_bwd_one(d.z, g.z, u.z, dg.z, du.z);
    swiglu_bwd_one(d.w, g.w, u.w, dg.w, du.w);
    store4(dgate, q, dg);
    store4(dup, q, du);
  }
  GRID_LOOP(j, n - 4 * quads) {
    const long long i = 4 * quads + j;
    float dg, du;
    swiglu_bwd_one(dout[i], gate[i], up[i], dg, du);
    store1(dgate, i, dg);
    store1(dup, i, du);
  }
}

extern "C" __global__ void swiglu_bwd(const float* dout, const float* gate, const float* up,
                                      float* dgate, float* dup, long long n) {
  swiglu_bwd_impl(dout, gate, up, dgate, dup, n);
}

extern "C" __global__ void swiglu_bwd_bf16(const float* dout, const float* gate, const float* up,
                                           unsigned short* dgate, unsigned short* dup,
                                           long long n) {
  swiglu_bwd_impl(dout, gate, up, dgate, dup, n);
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

// dst[i] = float(src[i]): bf16 results (cuDNN's attention outputs) widened exactly to fp32.
extern "C" __global__ void bf16_to_f32(const unsigned short* src, float* dst, long long n) {
  GRID_LOOP(i, n) dst[i] = __uint_as_float((unsigned int)src[i] << 16);
}

// Attention statistics (one float per query row and head) between cream's layout, rows of
// [batch·len × heads], and cuDNN's [batch × heads × len]: toHeadsMajor = 1 fills cuDNN's from
// cream's, 0 the reverse. A few MB per layer; never on a hot path's critical bandwidth.
extern "C" __global__ void stats_layout(const float* src, float* dst, int batch, int heads,
                                        int len, int toHeadsMajor) {
  const long long n = (long long)batch * heads * len;
  GRID_LOOP(i, n) {  // i walks cream's layout: (b·len + s)·heads + h
    const long long h = i % heads, r = i / heads, s = r % len, b = r / len;
    const long long j = (b * heads + h) * len + s;
    if (toHeadsMajor) dst[j] = src[i];
    else dst[i] = src[j];
  }
}

// Attention over two disjoint sets of keys merged into one: o1, o2 are the parts' bf16 outputs
// (rows of [batch·len × heads·d]), l1, l2 their log-sum-exps in cuDNN's [batch × heads × len].
// Each part is weighted by its softmax mass exp(l) (relative to the larger, for range): out is
// fp32, or bf16 when outBf16; lse in cream's [batch·len × heads] layout, natural log.
extern "C" __global__ void attention_merge2(const unsigned short* o1, const float* l1,
                                            const unsigned short* o2, const float* l2, void* out,
                                            float* lse, int batch, int heads, int len, int d,
                                            int outBf16) {
  const long long n = (long long)batch * len * heads * d;
  GRID_LOOP(i, n) {
    const long long hd = i / d, h = hd % heads, r = hd / heads, s = r % len, b = r / len;
    const long long j = (b * heads + h) * len + s;
    const float a = l1[j], c = l2[j], m = fmaxf(a, c);
    const float w1 = expf(a - m), w2 = expf(c - m), inv = 1.f / (w1 + w2);
    const float v = (w1 * __uint_as_float((unsigned int)o1[i] << 16)
                     + w2 * __uint_as_float((unsigned int)o2[i] << 16)) * inv;
    if (outBf16) reinterpret_cast<unsigned short*>(out)[i] = f32_to_bf16_rne(v);
    else reinterpret_cast<float*>(out)[i] = v;
    if (i % d == 0) lse[r * heads + h] = m + logf(w1 + w2);
  }
}
