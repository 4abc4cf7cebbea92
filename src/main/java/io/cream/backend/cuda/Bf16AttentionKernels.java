package io.cream.backend.cuda;

import java.util.Set;

/**
 * Which kernel of attention_bf16.cu runs each pass, with its shared memory. The kernels of a pass
 * differ only in how tiles reach shared memory, and all give bit-identical results: cp.async
 * into an fp32 shared buffer then rounded ("async"); registers where they fit and synchronous
 * loads elsewhere ("registers"); or, for the two backward passes, cp.async of bf16 copies of Q,
 * K, V and dO that the caller makes first with {@link Bf16Cast} ("cast": double-buffered, one
 * barrier per tile; "cast3" is the same at d = 64 with 3 blocks per SM instead of 4). The default
 * ("auto") is the faster one measured on an H200 (docs/attention-perf-notes.md): registers for
 * the head-dim-64 forward, cp.async for the d = 128 forward, cast for the backward. The system
 * property {@value #STAGING} (auto, async, registers, cast, cast3) overrides it for measurements;
 * the cast stagings leave the forward at its default.
 */
final class Bf16AttentionKernels {
  static final String STAGING = "cream.attention.bf16.staging";

  /** The pass a kernel computes. */
  enum Pass {
    FWD, DQ, DKDV;

    String label() {
      return name().toLowerCase();
    }
  }

  /**
   * One kernel: its name, its dynamic shared memory in bytes, and whether it reads bf16 copies of
   * Q, K, V and dO (else the fp32 tensors).
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
    if (!Set.of("auto", "async", "registers", "cast", "cast3").contains(staging)) {
      throw new IllegalArgumentException(
          STAGING + " must be auto, async, registers, cast or cast3: " + staging);
    }
    this.staging = staging;
  }

  /** The kernel for a pass at head dim d (64 or 128). */
  Choice choose(Pass pass, int d) {
    if (pass != Pass.FWD && !staging.equals("async") && !staging.equals("registers")) {
      return cast(pass, d);
    }
    boolean async = switch (staging) {
      case "async" -> true;
      case "registers" -> false;
      default -> d != 64;
    };
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

  /** The backward kernels on bf16 copies: own rows once, two buffers of the streamed tiles. */
  private Choice cast(Pass pass, int d) {
    int rowBytes = (d + 8) * 2;
    int own = 2 * BLOCK_ROWS * rowBytes; // dQ: Q, dO; dK/dV: K, V
    int buffer = 2 * TILE * rowBytes; // dQ: K, V; dK/dV: Q, dO
    if (pass == Pass.DKDV) buffer += 2 * TILE * Float.BYTES; // and lse, delta
    String suffix = staging.equals("cast3") && d == 64 ? "_cast3" : "_cast";
    return new Choice("attention_bf16_" + pass.label() + "_d" + d + suffix, own + 2 * buffer,
        true);
  }
}
