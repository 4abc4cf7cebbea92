package io.cream.backend.cuda;

import java.util.Set;

/**
 * Which kernel of attention_bf16.cu runs each pass, with its block shape and shared memory. The
 * kernels differ in how the next tile is staged (cp.async into fp32 shared memory, or registers /
 * synchronous loads) and in how many 16-row m tiles each warp owns (1, or 2 for blocks of 128
 * rows); all give results within bf16 tolerance, and the two stagings bit-identical ones. The
 * defaults are the fastest measured on an H200 (docs/attention-perf-notes.md); the system
 * properties {@value #STAGING} (auto, async, registers) and {@value #WARP_ROWS} (auto, 16, 32)
 * override them for measurements, falling back where a combination has no kernel.
 */
final class Bf16AttentionKernels {
  static final String STAGING = "cream.attention.bf16.staging";
  static final String WARP_ROWS = "cream.attention.bf16.warpRows";

  /** The pass a kernel computes. */
  enum Pass {
    FWD, DQ, DKDV;

    String label() {
      return name().toLowerCase();
    }
  }

  /**
   * One kernel: its name, the rows of the block's own tile (queries for FWD and DQ, keys for DKDV)
   * and its dynamic shared memory in bytes.
   */
  record Choice(String name, int blockRows, int sharedBytes) {}

  /** Kernels compiled in attention_bf16.cu (pass_dD[_async][_m2]). */
  private static final Set<String> AVAILABLE = Set.of(
      "fwd_d64", "fwd_d64_async", "fwd_d64_m2", "fwd_d64_async_m2", "fwd_d128", "fwd_d128_async",
      "dq_d64", "dq_d64_async", "dq_d64_async_m2", "dq_d128", "dq_d128_async",
      "dkdv_d64", "dkdv_d64_async", "dkdv_d128", "dkdv_d128_async");

  /** Keys per tile of the forward and dQ, queries per tile of dK/dV (BF_BK, BF_BQ2). */
  private static final int TILE = 32;

  private final String staging, warpRows;

  Bf16AttentionKernels() {
    this(System.getProperty(STAGING, "auto"), System.getProperty(WARP_ROWS, "auto"));
  }

  Bf16AttentionKernels(String staging, String warpRows) {
    if (!Set.of("auto", "async", "registers").contains(staging)) {
      throw new IllegalArgumentException(STAGING + " must be auto, async or registers: " + staging);
    }
    if (!Set.of("auto", "16", "32").contains(warpRows)) {
      throw new IllegalArgumentException(WARP_ROWS + " must be auto, 16 or 32: " + warpRows);
    }
    this.staging = staging;
    this.warpRows = warpRows;
  }

  /** The kernel for a pass at head dim d (64 or 128). */
  Choice choose(Pass pass, int d) {
    boolean async = switch (staging) {
      case "async" -> true;
      case "registers" -> false;
      default -> !(pass == Pass.FWD && d == 64); // measured: registers win only there
    };
    boolean m2 = warpRows.equals("32");
    // Where the combination has no kernel: cp.async staging first, then 16 rows per warp.
    String name = null;
    search:
    for (boolean rowsPair : m2 ? new boolean[] {true, false} : new boolean[] {false}) {
      for (boolean a : async ? new boolean[] {true} : new boolean[] {false, true}) {
        String n = pass.label() + "_d" + d + (a ? "_async" : "") + (rowsPair ? "_m2" : "");
        if (AVAILABLE.contains(n)) {
          name = n;
          async = a;
          m2 = rowsPair;
          break search;
        }
      }
    }
    int mt = m2 ? 2 : 1;
    int rows = 64 * mt;
    int tiles = switch (pass) {
      case FWD -> rows + 2 * TILE;
      case DQ, DKDV -> 2 * rows + 2 * TILE;
    };
    int bytes = tiles * (d + 8) * 2;
    if (pass == Pass.DKDV) bytes += 2 * TILE * Float.BYTES; // lse, delta
    if (async) {
      bytes += 2 * TILE * d * Float.BYTES; // fp32 staging of the two streamed tiles
      if (pass == Pass.DKDV) bytes += 2 * TILE * Float.BYTES;
    }
    return new Choice("attention_bf16_" + name, rows, bytes);
  }
}
