package io.cream.backend.cuda;

import java.util.Set;

/**
 * Which kernel of attention_bf16.cu runs each pass, with its shared memory. The kernels of a pass
 * differ only in how the next tile is staged: cp.async into an fp32 shared buffer ("async"), or
 * registers where they fit and synchronous loads elsewhere ("registers"); both give bit-identical
 * results. The default ("auto") is the faster one measured on an H200
 * (docs/attention-perf-notes.md): registers for the head-dim-64 forward, cp.async for the rest.
 * The system property {@value #STAGING} (auto, async, registers) overrides it for measurements.
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

  /** One kernel: its name and its dynamic shared memory in bytes. */
  record Choice(String name, int sharedBytes) {}

  /** Rows of a block's own tile (queries: forward, dQ; keys: dK/dV): BF_BQ, BF_BKV. */
  private static final int BLOCK_ROWS = 64;
  /** Keys per tile of the forward and dQ, queries per tile of dK/dV: BF_BK, BF_BQ2. */
  private static final int TILE = 32;

  private final String staging;

  Bf16AttentionKernels() {
    this(System.getProperty(STAGING, "auto"));
  }

  Bf16AttentionKernels(String staging) {
    if (!Set.of("auto", "async", "registers").contains(staging)) {
      throw new IllegalArgumentException(STAGING + " must be auto, async or registers: " + staging);
    }
    this.staging = staging;
  }

  /** The kernel for a pass at head dim d (64 or 128). */
  Choice choose(Pass pass, int d) {
    boolean async = switch (staging) {
      case "async" -> true;
      case "registers" -> false;
      default -> !(pass == Pass.FWD && d == 64);
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
    return new Choice(name, bytes);
  }
}
