package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The GPU's float32 → bf16 cast (f32_to_bf16) bit for bit against {@link Bf16Reference}: special
 * values (±0, ±inf, quiet and signalling NaNs, overflow), exact ties either way, subnormals, every
 * bit pattern at random and Gaussian data; on aligned buffers (16-byte loads) and misaligned ones
 * (the one-element path), with a length that leaves a tail. The output is poisoned first with a
 * pattern the cast never writes (a NaN without the quiet bit), and the elements on either side of
 * the range must keep it.
 */
@Tag("gpu")
class CudaBf16CastTest {
  private static final int POISON = 0x7fbf; // a signalling NaN: never a result of the cast

  @Test
  void castMatchesTheReferenceBitForBit() {
    try (CudaBackend be = CudaTests.backend()) {
      CudaContext ctx = CudaContext.open(0);
      DeviceAllocator allocator = new DeviceAllocator(new DriverMemory(ctx));
      Workspace ws = new Workspace(ctx, allocator);
      float[] x = inputs(100_003);
      for (int shift : new int[] {0, 1, 2}) check(ws, x, shift);
      allocator.trim();
    }
  }

  /** Casts x placed shift elements into the buffers (shift 1: neither pointer 8-byte aligned). */
  private static void check(Workspace ws, float[] x, int shift) {
    int n = x.length, slots = (n + 2 * shift + 3) & ~1; // guards on both sides, whole 32-bit words
    float[] padded = new float[slots];
    System.arraycopy(x, 0, padded, shift, n);
    try (Workspace.Scratch src = ws.scratch(slots * 4L);
        Workspace.Scratch dst = ws.scratch(slots * 2L)) {
      ws.upload(padded, src.pointer);
      ws.ctx.driver.fill32(dst.pointer, POISON | POISON << 16, slots / 2, ws.ctx.stream);
      new Bf16Cast(ws).round(src.pointer + 4L * shift, dst.pointer + 2L * shift, n);
      int[] words = ws.downloadInts(dst.pointer, slots / 2);
      for (int i = 0; i < slots; i++) {
        int got = (words[i / 2] >>> (16 * (i % 2))) & 0xffff;
        boolean inside = i >= shift && i < shift + n;
        int want = inside ? Bf16Reference.round(x[i - shift]) & 0xffff : POISON;
        int at = i;
        int input = inside ? Float.floatToRawIntBits(x[i - shift]) : 0;
        assertEquals(want, got, () -> String.format(
            "shift %d, element %d: input 0x%08x, got 0x%04x, want 0x%04x",
            shift, at - shift, input, got, want));
      }
    }
  }

  /** Hand-picked cases first, then random bit patterns and Gaussian values. */
  private static float[] inputs(int n) {
    int[] special = {0x0000_0000, 0x8000_0000, 0x3f80_0000, 0xbf80_0000, 0x7f80_0000, 0xff80_0000,
        0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0xff80_0001, 0x7fa0_0000, 0x7fff_ffff,
        0x7f7f_ffff, 0xff7f_ffff, 0x7f7f_8000, 0x7f7f_7fff, 0x0000_0001, 0x0080_0000, 0x007f_ffff,
        0x3f80_8000, 0x3f81_8000, 0xbf80_8000, 0xbf81_8000, 0x3f80_7fff, 0x3f80_8001,
        0x0000_8000, 0x0001_8000, 0x3fff_ffff, 0x4049_0fdb};
    float[] x = new float[n];
    Random r = new Random(20_261_126);
    for (int i = 0; i < n; i++) {
      int bits;
      if (i < special.length) bits = special[i];
      else if (i < 2000) bits = (r.nextInt() & 0xffff_0000) | 0x8000; // ties of every exponent
      else if (i < n / 2) bits = r.nextInt();
      else {
        double value = r.nextGaussian();
        double scale = Math.exp(3 * r.nextGaussian()); // magnitudes over many binades
        bits = Float.floatToRawIntBits((float) (value * scale));
      }
      x[i] = Float.intBitsToFloat(bits);
    }
    return x;
  }
}
