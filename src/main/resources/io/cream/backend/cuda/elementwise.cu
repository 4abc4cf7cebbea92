// Elementwise ops over whole tensors (float32): residual add, scale, SwiGLU and its backward,
// the linear layer's bias, and the fused AdamW step.

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

// One AdamW step; decay = 1 − lr·wd, stepSize = lr/(1 − β1ᵗ), invSqrtBc2 = 1/√(1 − β2ᵗ) come
// from the host (computed in double there). Every operation is rounded on its own (no fused
// multiply-add), in the CPU backend's order, so the GPU and the CPU take bit-identical steps and
// data-parallel or resumed runs do not drift apart between devices.
extern "C" __global__ void adamw_f32(float* p, const float* g, float* m, float* v, long long n,
                                     float beta1, float beta2, float eps, float decay,
                                     float stepSize, float invSqrtBc2) {
  const float c1 = 1.f - beta1, c2 = 1.f - beta2;
  GRID_LOOP(i, n) {
    const float gi = g[i];
    const float mi = __fadd_rn(__fmul_rn(m[i], beta1), __fmul_rn(gi, c1));
    const float vi = __fadd_rn(__fmul_rn(v[i], beta2), __fmul_rn(__fmul_rn(gi, gi), c2));
    m[i] = mi;
    v[i] = vi;
    const float denom = __fadd_rn(__fmul_rn(sqrtf(vi), invSqrtBc2), eps);
    p[i] = __fsub_rn(__fmul_rn(p[i], decay), __fdiv_rn(__fmul_rn(stepSize, mi), denom));
  }
}
