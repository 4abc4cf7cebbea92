package io.cream.backend.cuda;

import io.cream.util.UserError;

/**
 * How the CUDA backend multiplies. Storage, master weights and optimizer state are float32 in
 * every mode; the modes differ in what the tensor cores are fed.
 */
public enum Precision {
  /** Exact float32: cuBLAS in FP32, attention as three TF32 products per tile (~1e-6). */
  FP32,
  /** TF32 tensor cores for GEMMs and one TF32 product per attention tile (~1e-3). */
  TF32,
  /**
   * bf16 autocast, like PyTorch's amp: GEMM and attention operands rounded to bf16, products
   * accumulated in float32, everything else (norms, softmax, optimizer) in float32 (~1e-2).
   */
  BF16;

  /** Parses fp32, tf32 or bf16 (any case); a one-line error otherwise. */
  public static Precision parse(String s) {
    for (Precision p : values()) if (p.name().equalsIgnoreCase(s)) return p;
    throw new UserError("--precision must be fp32, tf32 or bf16, got '" + s + "'");
  }

  public String label() {
    return name().toLowerCase();
  }
}
