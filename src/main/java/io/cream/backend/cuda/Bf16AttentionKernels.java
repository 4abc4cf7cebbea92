package io.cream.backend.cuda;

import java.util.Set;

/**
 * Which kernel of attention_bf16_fwd.cu / attention_bf16_bwd.cu runs each pass, with its shared
 * memory. The kernels of a pass
 * differ only in how tiles reach shared memory, and all give bit-identical results: from bf16
 * copies of Q, K, V (and dO) that the caller makes first with {@link Bf16Cast}, by cp.async into
 * two buffers ("cast", one barrier per tile); or from the fp32 tensors, rounded as they are
 * stored: cp.async into an fp32 shared buffer ("async"), or registers where they fit and
 * synchronous loads elsewhere ("registers"). The default ("auto") is the fastest measured on an
 * H200 (docs/attention-perf-notes.md): cast for every pass; "cast5" is the same with the d = 64
 * forward at 5 blocks per SM instead of 4. A forward whose keys are split over blocks, or of one
 * query block (decoding: few queries over a long cache), does not cast, since the copy would read
 * the whole cache once more: {@link #uncast} picks its kernel (CudaAttention decides). The system property {@value #STAGING} (auto, cast5,
 * async, registers) overrides the default for measurements.
 */
final class Bf16AttentionKernels {
  static final String STAGING = "cream.attention.bf16.staging";

  /** The pass a kernel computes. */
  enum Pass {
    FWD, DQ, DKDV;

    String label() {
      return name().toLowerCase();
    }

    /** The kernel file (KernelLibrary.FILES) that holds this pass's kernels. */
    String file() {
      return this == FWD ? "attention_bf16_fwd" : "attention_bf16_bwd";
    }
  }

  /**
   * One kernel: its name, its dynamic shared memory in bytes, and whether it reads bf16 copies of
   * its operands (else the fp32 tensors).
   */
  record Choice(String name, int sharedBytes, boolean bf16Inputs) {}

  /** Rows of a block's own tile (queries: forward, dQ; keys: dK/dV): BF_BQ, BF_BKV. */
  private static final int BLOCK_ROWS = 64;
  /** Keys per tile of the forward and dQ, queries per tile of dK/dV: BF_BK, BF_BQ2. */
  private static final int TILE = 32;

  private final String staging;

  Bf16AttentionKernels() {
    this(System.getProperty(STAGING, "auto"));
  }

  Bf16AttentionKernels(String staging) {
    if (!Set.of("auto", "cast5", "async", "registers").contains(staging)) {
      throw new IllegalArgumentException(
          STAGING + " must be auto, cast5, async or registers: " + staging);
    }
    this.staging = staging;
  }

  /** The kernel for a pass at head dim d (64 or 128). */
  Choice choose(Pass pass, int d) {
    return switch (staging) {
      case "async" -> fp32Inputs(pass, d, true);
      case "registers" -> fp32Inputs(pass, d, false);
      default -> cast(pass, d);
    };
  }

  /** The kernel for a pass that reads the fp32 tensors themselves (a forward over split keys). */
  Choice uncast(Pass pass, int d) {
    return fp32Inputs(pass, d, staging.equals("async") || (!staging.equals("registers") && d != 64));
  }

  private static Choice fp32Inputs(Pass pass, int d, boolean async) {
    // bf16 tiles of d + 8 values a row: forward Q, K, V; dQ Q, dO, K, V; dK/dV K, V, Q, dO
    int rows = pass == Pass.FWD ? BLOCK_ROWS + 2 * TILE : 2 * BLOCK_ROWS + 2 * TILE;
    int bytes = rows * (d + 8) * 2;
    if (pass == Pass.DKDV) bytes += 2 * TILE * Float.BYTES; // lse, delta of the query tile
    if (async) {
      bytes += 2 * TILE * d * Float.BYTES; // fp32 staging of the two streamed tiles
      if (pass == Pass.DKDV) bytes += 2 * TILE * Float.BYTES; // and of lse, delta
    }
    String name = "attention_bf16_" + pass.label() + "_d" + d + (async ? "_async" : "");
    return new Choice(name, bytes, false);
  }

  /** The kernels on bf16 copies: the block's own rows once, two buffers of the streamed tiles. */
  private Choice cast(Pass pass, int d) {
    int rowBytes = (d + 8) * 2;
    // forward: Q; dQ: Q, dO; dK/dV: K, V
    int own = (pass == Pass.FWD ? 1 : 2) * BLOCK_ROWS * rowBytes;
    int buffer = 2 * TILE * rowBytes; // forward, dQ: K, V; dK/dV: Q, dO
    if (pass == Pass.DKDV) buffer += 2 * TILE * Float.BYTES; // and lse, delta
    String suffix = staging.equals("cast5") && pass == Pass.FWD && d == 64 ? "_cast5" : "_cast";
    return new Choice("attention_bf16_" + pass.label() + "_d" + d + suffix, own + 2 * buffer,
        true);
  }
}
