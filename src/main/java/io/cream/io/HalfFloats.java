package io.cream.io;

/**
 * Exact conversions between float32 and the two 16-bit float formats. Widening is exact; narrowing
 * rounds to nearest, ties to even, overflows to infinity and keeps NaN a NaN (with its sign).
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** bfloat16 bits → float (exact: bf16 is the top half of a float32). */
  public static float bf16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }

  /** float → bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
  public static short floatToBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      // Truncating could clear every payload bit and turn NaN into infinity: force the quiet bit.
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** IEEE binary16 bits → float (exact, subnormals included). */
  public static float f16ToFloat(short bits) {
    return Float.float16ToFloat(bits);
  }

  /** float → IEEE binary16 bits, round to nearest even; NaN stays NaN. */
  public static short floatToF16(float value) {
    return Float.floatToFloat16(value);
  }
}
