package io.cream.backend.cuda;

/**
 * bfloat16 rounding by its definition, for checking the GPU's cast: of the two bf16 values that
 * bracket |f| (bf16 is the top 16 bits of a float32), the nearer one, the one with an even last
 * bit on a tie, distances measured exactly in double; past the largest finite bf16 the upper
 * neighbour is 2^128, which stands for infinity. NaN becomes a quiet NaN with its sign and top
 * payload bits (the kernel's documented choice; rounding does not define it).
 */
final class Bf16Reference {
  private Bf16Reference() {}

  /** The bf16 bits of f. */
  static short round(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
    int sign = bits & 0x8000_0000;
    float a = Math.abs(f);
    int below = Float.floatToRawIntBits(a) & 0xffff_0000; // the largest bf16 ≤ |f|
    if (Float.isInfinite(a) || Float.floatToRawIntBits(a) == below) {
      return (short) ((sign | below) >>> 16);
    }
    int above = below + 0x1_0000;
    double lo = Float.intBitsToFloat(below);
    double hi = above == 0x7f80_0000 ? 0x1p128 : Float.intBitsToFloat(above);
    double toLo = a - lo, toHi = hi - a;
    boolean up = toHi < toLo || (toHi == toLo && ((below >>> 16) & 1) == 1);
    return (short) ((sign | (up ? above : below)) >>> 16);
  }

  /** The float32 value of bf16 bits. */
  static float value(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  /** Each value rounded to bf16 and back: what the bf16 tensor cores multiply. */
  static float[] rounded(float[] x) {
    float[] y = new float[x.length];
    for (int i = 0; i < x.length; i++) y[i] = value(round(x[i]));
    return y;
  }
}
