package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Java bf16 reference itself (no GPU): hand-worked cases, then properties on random floats. */
class Bf16ReferenceTest {
  private static void rounds(int floatBits, int bf16Bits) {
    short got = Bf16Reference.round(Float.intBitsToFloat(floatBits));
    assertEquals(bf16Bits, got & 0xffff, () -> String.format("bf16(0x%08x) = 0x%04x, want 0x%04x",
        floatBits, got & 0xffff, bf16Bits));
  }

  @Test
  void handWorkedCases() {
    rounds(0x3f80_0000, 0x3f80); // 1 is exact
    rounds(0x3f80_7fff, 0x3f80); // just under half an ULP above 1: down
    rounds(0x3f80_8000, 0x3f80); // tie between 0x3f80 (even) and 0x3f81: down to even
    rounds(0x3f81_8000, 0x3f82); // tie between 0x3f81 (odd) and 0x3f82: up to even
    rounds(0x3f80_8001, 0x3f81); // just over the tie: up
    rounds(0xbf81_8000, 0xbf82); // sign is kept, magnitude rounds the same way
    rounds(0x3fff_ffff, 0x4000); // rounding up carries into the exponent
    rounds(0x0000_0000, 0x0000);
    rounds(0x8000_0000, 0x8000); // -0 stays -0
    rounds(0x0000_8000, 0x0000); // subnormal tie, even below: down to +0
    rounds(0x0001_8000, 0x0002); // subnormal tie, odd below: up
    rounds(0x007f_ffff, 0x0080); // largest subnormal rounds up to the smallest normal
    rounds(0x7f7f_7fff, 0x7f7f); // stays the largest finite bf16
    rounds(0x7f7f_8000, 0x7f80); // tie past the largest finite bf16 (odd): infinity
    rounds(0x7f7f_ffff, 0x7f80); // Float.MAX_VALUE overflows to infinity
    rounds(0xff7f_ffff, 0xff80);
    rounds(0x7f80_0000, 0x7f80); // ±inf stay
    rounds(0xff80_0000, 0xff80);
    rounds(0x7fc0_0000, 0x7fc0); // quiet NaN
    rounds(0x7f80_0001, 0x7fc0); // NaN whose payload is all in the dropped bits: still NaN
    rounds(0xffa0_0000, 0xffe0); // signalling NaN: sign and payload kept, made quiet
  }

  @Test
  void randomFloatsRoundToANearestNeighbour() {
    SplittableRandom r = new SplittableRandom(4242);
    for (int i = 0; i < 200_000; i++) {
      float f = Float.intBitsToFloat(r.nextInt());
      if (!Float.isFinite(f)) continue;
      short b = Bf16Reference.round(f);
      float v = Bf16Reference.value(b);
      if (Float.isInfinite(v)) {
        assertTrue(Math.abs(f) >= 0x1.ffp127f, "overflowed from " + f); // max bf16 + half ULP
        continue;
      }
      assertEquals(Math.copySign(1f, f), Math.copySign(1f, v), "sign of " + f);
      // No bf16 is nearer: the neighbours one step either side are at least as far.
      double err = Math.abs((double) v - f);
      int vb = (b & 0xffff) << 16;
      for (int step : new int[] {-0x1_0000, 0x1_0000}) {
        int nb = vb + step;
        if ((nb & 0x7fff_ffff) >= 0x7f80_0000 || ((nb ^ vb) & 0x8000_0000) != 0) continue;
        double other = Math.abs((double) Float.intBitsToFloat(nb) - f);
        assertTrue(other >= err, "nearer neighbour of " + f);
      }
      assertTrue(err <= Math.ulp(v) * 0x1p16 / 2 || err <= Float.MIN_VALUE * 0x1p16 / 2,
          "error above half a bf16 ULP at " + f);
    }
  }
}
