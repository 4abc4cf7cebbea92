package io.cream.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.io.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GGUF container: header, every key type, tensor records, alignment, and each tensor type's bytes. */
class GgufWriterTest {
  @TempDir Path tmp;

  @Test
  void keysAndTensorsReadBackAligned() throws Exception {
    GgufMetadata m = new GgufMetadata()
        .putString("general.name", "tiny — ünïcode")
        .putUint32("a.count", 4_000_000_000L)
        .putFloat32("a.eps", 1e-5)
        .putBool("a.flag", true)
        .putStrings("a.words", List.of("<s>", "▁the", ""))
        .putFloats("a.scores", new float[] {0, -1.5f, -2})
        .putInts("a.types", new int[] {1, 6, 3});
    float[] v32 = random(3, 1), v16 = random(8, 2), vb16 = random(6, 3), vq = random(128, 4);
    List<GgufTensor> tensors = List.of(
        new GgufTensor("f32", new long[] {3}, GgmlType.F32, v32),
        new GgufTensor("f16", new long[] {4, 2}, GgmlType.F16, v16),
        new GgufTensor("bf16", new long[] {2, 3}, GgmlType.BF16, vb16),
        new GgufTensor("q8", new long[] {64, 2}, GgmlType.Q8_0, vq));
    Path file = tmp.resolve("t.gguf");
    GgufWriter.write(file, m, tensors);

    GgufReader r = new GgufReader(file);
    assertEquals(3, r.version);
    assertEquals(m.keys(), List.copyOf(r.metadata.keySet()));
    assertEquals("tiny — ünïcode", r.metadata.get("general.name"));
    assertEquals(4_000_000_000L, r.metadata.get("a.count"));
    assertEquals(1e-5f, r.metadata.get("a.eps"));
    assertEquals(true, r.metadata.get("a.flag"));
    assertEquals(List.of("<s>", "▁the", ""), r.metadata.get("a.words"));
    assertEquals(List.of(0f, -1.5f, -2f), r.metadata.get("a.scores"));
    assertEquals(List.of(1, 6, 3), r.metadata.get("a.types"));

    assertEquals(0, r.dataStart % 32);
    for (var t : r.tensors.values()) assertEquals(0, t.offset() % 32, t.name());
    assertArrayEquals(new long[] {64, 2}, r.tensors.get("q8").dims());
    assertEquals(8, r.tensors.get("q8").type());
    assertEquals(30, r.tensors.get("bf16").type());
    long lastEnd = r.dataStart + r.tensors.get("q8").offset() + 4 * 34;
    assertEquals(GgufWriter.align(lastEnd), r.fileSize(), "the file ends after the last tensor, padded");

    assertArrayEquals(v32, r.floats("f32"));
    for (int i = 0; i < v16.length; i++) assertEquals(HalfFloats.f16ToFloat(HalfFloats.floatToF16(v16[i])), r.floats("f16")[i]);
    for (int i = 0; i < vb16.length; i++) assertEquals(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(vb16[i])), r.floats("bf16")[i]);
    float[] q = r.floats("q8");
    for (int b = 0; b < vq.length; b += 32) {
      float amax = 0;
      for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(vq[b + j]));
      for (int j = 0; j < 32; j++) {
        assertTrue(Math.abs(q[b + j] - vq[b + j]) <= amax / 127 * 0.5 + amax * 1e-3, "q8 value " + (b + j));
      }
    }
  }

  /** One block by hand: max |x| 127 gives scale 1, and halves round away from zero as C's roundf. */
  @Test
  void q8BlockIsScaleThenRoundedBytes() {
    float[] x = new float[32];
    float[] given = {127, -127, 2.5f, -2.5f, 0.5f, -0.5f, 1.4999999f, 0.49999997f, -63.5f};
    System.arraycopy(given, 0, x, 0, given.length);
    ByteBuffer out = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
    GgmlType.Q8_0.encode(x, 0, 32, out);
    assertEquals(0x3C00, out.getShort(0) & 0xffff, "scale 1.0 in float16");
    byte[] q = new byte[32];
    out.position(2).get(q);
    assertArrayEquals(new byte[] {127, -127, 3, -3, 1, -1, 1, 0, -64}, java.util.Arrays.copyOf(q, 9));
    for (int j = 9; j < 32; j++) assertEquals(0, q[j]);

    ByteBuffer zeros = ByteBuffer.allocate(34);
    GgmlType.Q8_0.encode(new float[32], 0, 32, zeros);
    assertArrayEquals(new byte[34], zeros.array(), "an all-zero block has scale 0 and no NaN");
  }

  @Test
  void badInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GgufMetadata().putBool("k", true).putBool("k", false));
    assertThrows(IllegalArgumentException.class, () -> new GgufTensor("q", new long[] {48, 1}, GgmlType.Q8_0, new float[48]));
    assertThrows(IllegalArgumentException.class, () -> new GgufTensor("t", new long[] {4, 2}, GgmlType.F32, new float[7]));
    GgufTensor t = new GgufTensor("t", new long[] {2}, GgmlType.F32, new float[2]);
    assertThrows(IllegalArgumentException.class, () -> GgufWriter.write(tmp.resolve("x.gguf"), new GgufMetadata(), List.of(t, t)));
    assertTrue(Files.notExists(tmp.resolve("x.gguf")));
  }

  private static float[] random(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) v[i] = (float) rng.nextGaussian();
    return v;
  }
}
