package io.cream.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cream.util.UserError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsRoundTripTest {
  @TempDir Path tmp;

  static float[] randomFloats(SplittableRandom rnd, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(-12, 6)));
    return x;
  }

  /** Tensors of every dtype and awkward shapes: scalar, zero-size dims, one large enough to chunk. */
  static Map<String, TensorToWrite> sampleTensors(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, TensorToWrite> m = new LinkedHashMap<>();
    m.put("model.layers.0.self_attn.q_proj.weight", TensorToWrite.of(DType.BF16, randomFloats(rnd, 6 * 10), 6, 10));
    m.put("model.embed_tokens.weight", TensorToWrite.of(DType.F32, randomFloats(rnd, 15), 3, 5));
    m.put("model.norm.weight", TensorToWrite.of(DType.F16, randomFloats(rnd, 24), 2, 3, 4));
    m.put("scalar", TensorToWrite.of(DType.F32, randomFloats(rnd, 1)));
    m.put("empty.bf16", TensorToWrite.of(DType.BF16, new float[0], 4, 0));
    m.put("empty.f16", TensorToWrite.of(DType.F16, new float[0], 0));
    m.put("big.bf16", TensorToWrite.of(DType.BF16, randomFloats(rnd, 3 * 70_001), 3, 70_001));
    m.put("vector.f32", TensorToWrite.of(DType.F32, randomFloats(rnd, 7), 7));
    return m;
  }

  /** What a stored value reads back as: exact for F32, the 16-bit rounding otherwise. */
  static float stored(DType dtype, float x) {
    return switch (dtype) {
      case F32 -> x;
      case BF16 -> HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(x));
      case F16 -> HalfFloats.f16ToFloat(HalfFloats.floatToF16(x));
    };
  }

  static void assertMatches(Map<String, TensorToWrite> expected, SafeTensorsReader reader) {
    assertEquals(new TreeMap<>(expected).keySet(), reader.names());
    for (var e : expected.entrySet()) {
      SafeTensor t = reader.get(e.getKey());
      TensorToWrite w = e.getValue();
      assertEquals(w.dtype(), t.dtype(), e.getKey());
      assertArrayEquals(w.shape(), t.shape(), e.getKey());
      float[] got = t.toFloatArray();
      assertEquals(w.data().length, got.length);
      for (int i = 0; i < got.length; i++) {
        float want = stored(w.dtype(), w.data()[i]);
        assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]), e.getKey() + "[" + i + "]");
      }
    }
  }

  @Test
  void singleFileRoundTrip() throws Exception {
    Map<String, TensorToWrite> tensors = sampleTensors(1);
    List<Path> files = SafeTensorsWriter.write(tmp, tensors, 0);
    assertEquals(List.of(tmp.resolve("model.safetensors")), files);
    assertFalse(Files.exists(tmp.resolve(SafeTensorsReader.INDEX_FILE)));
    try (SafeTensorsReader r = SafeTensorsReader.open(tmp)) {
      assertMatches(tensors, r);
      assertEquals(Map.of("format", "pt"), r.metadata());
      SafeTensor scalar = r.get("scalar");
      assertEquals(0, scalar.shape().length);
      assertEquals(1, scalar.numel());
      assertEquals(0, r.get("empty.bf16").numel());
    }
  }

  @Test
  void shardedRoundTripWithSmallLimit() throws Exception {
    Map<String, TensorToWrite> tensors = sampleTensors(2);
    List<Path> files = SafeTensorsWriter.write(tmp, tensors, 200);
    Path index = tmp.resolve(SafeTensorsReader.INDEX_FILE);
    assertEquals(index, files.getLast());
    int shards = files.size() - 1;
    assertTrue(shards >= 3, "expected several shards, got " + shards);
    for (int i = 0; i < shards; i++) {
      assertEquals(String.format("model-%05d-of-%05d.safetensors", i + 1, shards), files.get(i).getFileName().toString());
    }
    assertFalse(Files.exists(tmp.resolve("model.safetensors")));

    JsonNode idx = new ObjectMapper().readTree(index.toFile());
    long total = tensors.values().stream().mapToLong(TensorToWrite::byteSize).sum();
    assertEquals(total, idx.get("metadata").get("total_size").longValue());
    assertEquals(tensors.size(), idx.get("weight_map").size());
    // Each shard stays within the limit unless it holds one oversized tensor alone.
    for (int i = 0; i < shards; i++) {
      String name = files.get(i).getFileName().toString();
      long bytes = 0;
      int count = 0;
      for (Map.Entry<String, JsonNode> e : idx.get("weight_map").properties()) {
        if (e.getValue().textValue().equals(name)) {
          bytes += tensors.get(e.getKey()).byteSize();
          count++;
        }
      }
      assertTrue(count >= 1 && (bytes <= 200 || count == 1), name + ": " + count + " tensors, " + bytes + " bytes");
    }
    try (SafeTensorsReader r = SafeTensorsReader.open(tmp)) {
      assertMatches(tensors, r);
    }
    try (SafeTensorsReader r = SafeTensorsReader.open(index)) {
      assertMatches(tensors, r);
    }
  }

  @Test
  void rewritingSwitchesLayoutAndRemovesStaleFiles() throws Exception {
    SafeTensorsWriter.write(tmp, sampleTensors(3), 200);
    Map<String, TensorToWrite> fewer = new TreeMap<>(sampleTensors(4));
    fewer.remove("big.bf16");
    SafeTensorsWriter.write(tmp, fewer, 0);
    try (var files = Files.list(tmp)) {
      assertEquals(List.of("model.safetensors"), files.map(p -> p.getFileName().toString()).toList());
    }
    try (SafeTensorsReader r = SafeTensorsReader.open(tmp)) {
      assertMatches(fewer, r);
    }
    SafeTensorsWriter.write(tmp, fewer, 100);
    assertFalse(Files.exists(tmp.resolve("model.safetensors")));
    try (SafeTensorsReader r = SafeTensorsReader.open(tmp)) {
      assertMatches(fewer, r);
    }
  }

  /** Parses a file we wrote with nothing but the format description. */
  @Test
  void layoutMatchesAnIndependentParser() throws Exception {
    Map<String, TensorToWrite> tensors = sampleTensors(5);
    Path file = tmp.resolve("x.safetensors");
    SafeTensorsWriter.writeFile(file, tensors);
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long n = bb.getLong(0);
    assertEquals(0, (8 + n) % 8, "data must start 8-byte aligned");
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertTrue(header.startsWith("{"));
    String trimmed = header.stripTrailing();
    assertTrue(trimmed.endsWith("}"));
    assertTrue(header.substring(trimmed.length()).chars().allMatch(c -> c == ' '), "padding must be spaces");
    assertTrue(header.length() - trimmed.length() < 8);

    JsonNode root = new ObjectMapper().readTree(trimmed);
    assertEquals("pt", root.get("__metadata__").get("format").textValue());
    assertEquals(1, root.get("__metadata__").size());
    List<String> names = new ArrayList<>();
    root.fieldNames().forEachRemaining(k -> { if (!k.equals("__metadata__")) names.add(k); });
    assertEquals(new ArrayList<>(new TreeMap<>(tensors).keySet()), names, "tensors in sorted order");

    long dataStart = 8 + n;
    long expectOffset = 0;
    for (String name : names) {
      JsonNode e = root.get(name);
      TensorToWrite w = tensors.get(name);
      assertEquals(w.dtype().name(), e.get("dtype").textValue());
      long[] shape = new long[e.get("shape").size()];
      for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).longValue();
      assertArrayEquals(w.shape(), shape);
      long begin = e.get("data_offsets").get(0).longValue(), end = e.get("data_offsets").get(1).longValue();
      assertEquals(expectOffset, begin, "contiguous data in header order");
      assertEquals(w.byteSize(), end - begin);
      for (int i = 0; i < w.data().length; i++) {
        int at = (int) (dataStart + begin + (long) i * w.dtype().byteSize());
        int bits = switch (w.dtype()) {
          case F32 -> bb.getInt(at);
          case BF16, F16 -> Short.toUnsignedInt(bb.getShort(at));
        };
        int want = switch (w.dtype()) {
          case F32 -> Float.floatToRawIntBits(w.data()[i]);
          case BF16 -> Short.toUnsignedInt(HalfFloats.floatToBf16(w.data()[i]));
          case F16 -> Short.toUnsignedInt(HalfFloats.floatToF16(w.data()[i]));
        };
        assertEquals(want, bits, name + "[" + i + "]");
      }
      expectOffset = end;
    }
    assertEquals(dataStart + expectOffset, bytes.length, "no trailing bytes");
  }

  @Test
  void partialReadsAndMissingNames() throws Exception {
    Map<String, TensorToWrite> tensors = sampleTensors(6);
    SafeTensorsWriter.write(tmp, tensors, 0);
    try (SafeTensorsReader r = SafeTensorsReader.open(tmp)) {
      SafeTensor big = r.get("big.bf16");
      float[] all = big.toFloatArray();
      float[] part = new float[1000];
      big.readFloats(65_000, part, 0, 1000);
      for (int i = 0; i < 1000; i++) assertEquals(all[65_000 + i], part[i]);

      UserError e = assertThrows(UserError.class, () -> r.get("model.layers.0.self_attn.k_proj.weight"));
      assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_proj.weight"), e.getMessage());
      assertTrue(e.getMessage().contains("k_proj"), e.getMessage());
    }
  }

  @Test
  void writerRejectsInconsistentTensors() {
    assertThrows(IllegalArgumentException.class, () -> TensorToWrite.of(DType.F32, new float[5], 2, 3));
    assertThrows(IllegalArgumentException.class, () -> TensorToWrite.of(DType.F32, new float[0], -1));
    Map<String, TensorToWrite> reserved = Map.of("__metadata__", TensorToWrite.of(DType.F32, new float[1]));
    assertThrows(IllegalArgumentException.class, () -> SafeTensorsWriter.writeFile(tmp.resolve("r.safetensors"), reserved));
  }
}
