package io.cream.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** F16/BF16 conversions against references built from the bit layouts with float64 arithmetic. */
class HalfFloatsTest {

  /** Value of a binary format with the given exponent and mantissa widths, decoded by hand. */
  private static double decodeByHand(int bits, int expBits, int manBits) {
    int sign = (bits >>> (expBits + manBits)) & 1;
    int exp = (bits >>> manBits) & ((1 << expBits) - 1);
    int man = bits & ((1 << manBits) - 1);
    int bias = (1 << (expBits - 1)) - 1;
    double magnitude;
    if (exp == (1 << expBits) - 1) {
      magnitude = man == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else if (exp == 0) {
      magnitude = man * Math.pow(2, 1 - bias - manBits);
    } else {
      magnitude = (1 + man / Math.pow(2, manBits)) * Math.pow(2, exp - bias);
    }
    return sign == 1 ? -magnitude : magnitude;
  }

  @Test
  void everyBf16PatternWidensExactly() {
    for (int b = 0; b < 65536; b++) {
      double ref = decodeByHand(b, 8, 7);
      float got = HalfFloats.bf16ToFloat((short) b);
      if (Double.isNaN(ref)) {
        assertTrue(Float.isNaN(got), "bf16 " + Integer.toHexString(b));
      } else {
        assertEquals(ref, got, 0.0, "bf16 " + Integer.toHexString(b));
        assertEquals(ref < 0 || (ref == 0 && (b & 0x8000) != 0), (Float.floatToRawIntBits(got) >>> 31) == 1);
      }
    }
  }

  @Test
  void everyF16PatternWidensExactly() {
    for (int b = 0; b < 65536; b++) {
      double ref = decodeByHand(b, 5, 10);
      float got = HalfFloats.f16ToFloat((short) b);
      if (Double.isNaN(ref)) {
        assertTrue(Float.isNaN(got), "f16 " + Integer.toHexString(b));
      } else {
        assertEquals(ref, got, 0.0, "f16 " + Integer.toHexString(b));
      }
    }
  }

  /**
   * The nearest representable value by search over the sorted non-negative patterns of a 16-bit
   * format (finite values, then infinity standing at the next power of two), ties to the even
   * pattern, as IEEE round-to-nearest-even specifies.
   */
  private static final class NearestEven {
    final double[] values;
    final int infPattern;

    NearestEven(int expBits, int manBits, double infAs) {
      infPattern = ((1 << expBits) - 1) << manBits;
      values = new double[infPattern + 1];
      for (int p = 0; p < infPattern; p++) values[p] = decodeByHand(p, expBits, manBits);
      values[infPattern] = infAs;
    }

    int round(float x) {
      double a = Math.abs((double) x);
      int sign = (Float.floatToRawIntBits(x) >>> 31) << 15;
      if (a >= values[infPattern]) return sign | infPattern;
      int i = Arrays.binarySearch(values, a);
      if (i >= 0) return sign | i;
      int hi = -i - 1, lo = hi - 1;
      double dLo = a - values[lo], dHi = values[hi] - a;
      int pick = dLo < dHi ? lo : dHi < dLo ? hi : ((lo & 1) == 0 ? lo : hi);
      return sign | pick;
    }
  }

  private static float[] interestingFloats(long seed, int count) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] xs = new float[count];
    for (int i = 0; i < count; i++) {
      xs[i] = switch (i % 4) {
        // any finite bit pattern
        case 0 -> {
          float f;
          do f = Float.intBitsToFloat(rnd.nextInt()); while (!Float.isFinite(f));
          yield f;
        }
        // values in the 16-bit formats' normal and subnormal ranges
        case 1 -> (float) ((rnd.nextDouble() * 2 - 1) * Math.pow(2, rnd.nextInt(-26, 17)));
        // exact ties: a 16-bit value plus half of its ulp (low 16 bits 0x8000 for bf16)
        case 2 -> Float.intBitsToFloat((rnd.nextInt(0x7f7f) << 16) | 0x8000 | (rnd.nextBoolean() ? 0x80000000 : 0));
        // f16 ties: 13 dropped mantissa bits equal 1000000000000
        default -> Float.intBitsToFloat(((rnd.nextInt(0x3f800000 - 0x33000000) + 0x33000000) & ~0x1fff) | 0x1000);
      };
    }
    return xs;
  }

  @Test
  void floatToBf16RoundsToNearestEven() {
    NearestEven ref = new NearestEven(8, 7, Math.pow(2, 128));
    float[] xs = interestingFloats(11, 200_000);
    for (float x : xs) {
      assertEquals(ref.round(x), HalfFloats.floatToBf16(x) & 0xffff, "x=" + x + " bits=" + Integer.toHexString(Float.floatToRawIntBits(x)));
    }
    assertEquals(0x7f80, HalfFloats.floatToBf16(Float.MAX_VALUE) & 0xffff, "rounds past the largest bf16 to infinity");
    assertEquals(0xff80, HalfFloats.floatToBf16(Float.NEGATIVE_INFINITY) & 0xffff);
    assertEquals(0x8000, HalfFloats.floatToBf16(-0.0f) & 0xffff);
  }

  @Test
  void floatToF16RoundsToNearestEven() {
    NearestEven ref = new NearestEven(5, 10, 65536.0);
    float[] xs = interestingFloats(12, 200_000);
    for (float x : xs) {
      assertEquals(ref.round(x), HalfFloats.floatToF16(x) & 0xffff, "x=" + x);
    }
    assertEquals(0x7c00, HalfFloats.floatToF16(65520f) & 0xffff, "65520 is a tie that rounds to infinity");
    assertEquals(0x7bff, HalfFloats.floatToF16(65519.99f) & 0xffff);
  }

  @Test
  void nanStaysNanWithItsSign() {
    SplittableRandom rnd = new SplittableRandom(13);
    for (int i = 0; i < 10_000; i++) {
      int payload = 1 + rnd.nextInt(0x7fffff);
      if (i < 16) payload = 1 << i; // payloads that live only in the low bits bf16 drops
      int sign = rnd.nextBoolean() ? 0x80000000 : 0;
      float nan = Float.intBitsToFloat(sign | 0x7f800000 | payload);
      assertTrue(Float.isNaN(nan));
      short b = HalfFloats.floatToBf16(nan);
      assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(b)), "bf16 of NaN payload " + payload);
      assertEquals(sign != 0, (b & 0x8000) != 0);
      assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(nan))), "f16 of NaN payload " + payload);
    }
  }

  @Test
  void narrowingThenWideningIsIdentityOnRepresentableValues() {
    for (int b = 0; b < 65536; b++) {
      float bf = HalfFloats.bf16ToFloat((short) b);
      if (!Float.isNaN(bf)) assertEquals(b, HalfFloats.floatToBf16(bf) & 0xffff);
      float h = HalfFloats.f16ToFloat((short) b);
      if (!Float.isNaN(h)) assertEquals(b, HalfFloats.floatToF16(h) & 0xffff);
    }
  }
}
