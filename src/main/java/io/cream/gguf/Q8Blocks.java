package io.cream.gguf;

import io.cream.io.HalfFloats;
import java.nio.ByteBuffer;

/**
 * ggml's Q8_0 format: blocks of 32 values, each stored as one float16 scale d = max|x|/127
 * followed by 32 signed bytes q = round(x/d) (halves away from zero), so x ≈ d·q. The rounding
 * uses the float32 d and only the stored scale is float16, as llama.cpp's own quantizer does, so
 * a file cream writes holds the same bytes llama-quantize would.
 */
public final class Q8Blocks {
  /** Values per block. */
  public static final int BLOCK = 32;
  /** Bytes per block: a float16 scale and 32 bytes. */
  public static final int BLOCK_BYTES = 2 + BLOCK;

  private Q8Blocks() {}

  /** Encodes values[from, from + 32) as one block into {@code out} (little-endian). */
  public static void encode(float[] values, int from, ByteBuffer out) {
    float amax = 0;
    for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(values[from + j]));
    float d = amax / 127;
    float inverse = d != 0 ? 1 / d : 0;
    out.putShort(HalfFloats.floatToF16(d));
    for (int j = 0; j < BLOCK; j++) out.put((byte) roundHalfAway(values[from + j] * inverse));
  }

  /** C's roundf: halves go away from zero (Math.round sends −2.5 to −2, roundf to −3). */
  static int roundHalfAway(float x) {
    // In double: |x| + 0.5 is exact there, where float addition could round 0.49999997 up to 1.
    return (int) Math.copySign(Math.floor(Math.abs((double) x) + 0.5), x);
  }
}
