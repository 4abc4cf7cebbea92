package io.cream.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Damaged files must fail with a UserError naming the file; no other exception may escape. */
class SafeTensorsCorruptionTest {
  @TempDir Path tmp;

  private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";
  private static final String B = "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[16,22]}";
  private static final String META = "\"__metadata__\":{\"format\":\"pt\"}";
  private static final String VALID = "{" + A + "," + B + "," + META + "}";

  /** A file with the given header length field, header bytes and a data area of dataBytes. */
  static byte[] file(long lengthField, byte[] header, int dataBytes) {
    ByteBuffer bb = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(lengthField).put(header);
    for (int i = 0; i < dataBytes; i++) bb.put((byte) (i * 37 + 11));
    return bb.array();
  }

  static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return file(h.length, h, dataBytes);
  }

  static String tensor(String name, String dtype, String shape, String offsets) {
    return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
  }

  static Stream<Arguments> damagedFiles() {
    byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
    String deep = "[".repeat(5000) + "]".repeat(5000);
    return Stream.of(
        Arguments.of("empty file", new byte[0]),
        Arguments.of("shorter than the length field", new byte[] {8, 0, 0, 0, 0}),
        Arguments.of("header length huge", file(1L << 40, valid, 22)),
        Arguments.of("header length negative", file(-1, valid, 22)),
        Arguments.of("header length min long", file(Long.MIN_VALUE, valid, 22)),
        Arguments.of("header length just above 100 MB", file(100_000_001L, valid, 22)),
        Arguments.of("header length past EOF", file(valid.length + 100, valid, 22)),
        Arguments.of("header length zero", file(0, valid, 22)),
        Arguments.of("header length one", file(1, valid, 22)),
        Arguments.of("header cut short", Arrays.copyOf(file(VALID, 22), 8 + valid.length / 2)),
        Arguments.of("data truncated", file(VALID, 21)),
        Arguments.of("data missing", file(VALID, 0)),
        Arguments.of("invalid JSON", file("{\"a\":", 0)),
        Arguments.of("not JSON", file("hello world", 0)),
        Arguments.of("trailing garbage", file(VALID + "xyz", 22)),
        Arguments.of("two objects", file(VALID + VALID, 22)),
        Arguments.of("JSON array", file("[1,2,3]", 0)),
        Arguments.of("JSON string", file("\"abc\"", 0)),
        Arguments.of("JSON number", file("42", 0)),
        Arguments.of("JSON null", file("null", 0)),
        Arguments.of("only spaces", file("        ", 0)),
        Arguments.of("deeply nested", file("{\"x\":" + deep + "}", 0)),
        Arguments.of("entry not an object", file("{\"a\":5}", 0)),
        Arguments.of("missing dtype", file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8)),
        Arguments.of("missing shape", file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8)),
        Arguments.of("missing offsets", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8)),
        Arguments.of("dtype not a string", file("{" + tensor("a", "4", "[2]", "[0,8]") + "}", 8)),
        Arguments.of("unknown dtype", file("{" + tensor("a", "\"XYZ\"", "[2]", "[0,8]") + "}", 8)),
        Arguments.of("unsupported dtype F64", file("{" + tensor("a", "\"F64\"", "[1]", "[0,8]") + "}", 8)),
        Arguments.of("unsupported dtype I8", file("{" + tensor("a", "\"I8\"", "[8]", "[0,8]") + "}", 8)),
        Arguments.of("lower-case dtype", file("{" + tensor("a", "\"f32\"", "[2]", "[0,8]") + "}", 8)),
        Arguments.of("negative dim", file("{" + tensor("a", "\"F32\"", "[-2,-1]", "[0,8]") + "}", 8)),
        Arguments.of("fractional dim", file("{" + tensor("a", "\"F32\"", "[2.0]", "[0,8]") + "}", 8)),
        Arguments.of("string dim", file("{" + tensor("a", "\"F32\"", "[\"2\"]", "[0,8]") + "}", 8)),
        Arguments.of("dim beyond 64 bits", file("{" + tensor("a", "\"F32\"", "[99999999999999999999]", "[0,8]") + "}", 8)),
        Arguments.of("shape product overflows", file("{" + tensor("a", "\"F32\"", "[4294967296,4294967296,2]", "[0,0]") + "}", 0)),
        Arguments.of("shape times size overflows", file("{" + tensor("a", "\"F32\"", "[4611686018427387904]", "[0,0]") + "}", 0)),
        Arguments.of("shape not an array", file("{" + tensor("a", "\"F32\"", "2", "[0,8]") + "}", 8)),
        Arguments.of("offsets reversed", file("{" + tensor("a", "\"F32\"", "[2]", "[8,0]") + "}", 8)),
        Arguments.of("offsets outside", file("{" + tensor("a", "\"F32\"", "[2]", "[100,108]") + "}", 8)),
        Arguments.of("offsets negative", file("{" + tensor("a", "\"F32\"", "[2]", "[-8,0]") + "}", 8)),
        Arguments.of("offsets three entries", file("{" + tensor("a", "\"F32\"", "[2]", "[0,8,16]") + "}", 16)),
        Arguments.of("offsets one entry", file("{" + tensor("a", "\"F32\"", "[2]", "[8]") + "}", 8)),
        Arguments.of("offsets fractional", file("{" + tensor("a", "\"F32\"", "[2]", "[0,8.5]") + "}", 8)),
        Arguments.of("offsets not an array", file("{" + tensor("a", "\"F32\"", "[2]", "{}") + "}", 8)),
        Arguments.of("offsets huge", file("{" + tensor("a", "\"F32\"", "[2]", "[9223372036854775800,9223372036854775807]") + "}", 8)),
        Arguments.of("overlapping ranges", file("{" + tensor("a", "\"F32\"", "[4]", "[0,16]") + ","
            + tensor("b", "\"F32\"", "[2]", "[8,16]") + "}", 16)),
        Arguments.of("identical ranges", file("{" + tensor("a", "\"F32\"", "[2]", "[0,8]") + ","
            + tensor("b", "\"F32\"", "[2]", "[0,8]") + "}", 8)),
        Arguments.of("size mismatch", file("{" + tensor("a", "\"F32\"", "[2,3]", "[0,16]") + "}", 16)),
        Arguments.of("size mismatch for bf16", file("{" + tensor("a", "\"BF16\"", "[4]", "[0,16]") + "}", 16)),
        Arguments.of("duplicate tensor name", file("{" + A + "," + A.replace("[0,16]", "[0,16]") + "}", 16)),
        Arguments.of("metadata value a number", file("{" + A + ",\"__metadata__\":{\"format\":1}}", 16)),
        Arguments.of("metadata value an object", file("{" + A + ",\"__metadata__\":{\"format\":{}}}", 16)),
        Arguments.of("metadata an array", file("{" + A + ",\"__metadata__\":[\"pt\"]}", 16)),
        Arguments.of("metadata a string", file("{" + A + ",\"__metadata__\":\"pt\"}", 16)),
        Arguments.of("invalid UTF-8", invalidUtf8()),
        Arguments.of("NUL in header", file("{\"a\u0000\":1}", 0)));
  }

  /** A valid header whose tensor name holds the byte 0xff, which UTF-8 never uses. */
  static byte[] invalidUtf8() {
    byte[] h = "{\"a?\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}".getBytes(StandardCharsets.UTF_8);
    h[3] = (byte) 0xff;
    return file(h.length, h, 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("damagedFiles")
  void damagedFileIsAUserError(String label, byte[] bytes) throws Exception {
    Path f = tmp.resolve("bad.safetensors");
    Files.write(f, bytes);
    UserError e = assertThrows(UserError.class, () -> openAndReadAll(f), label);
    assertTrue(e.getMessage().contains(f.toString()), "message names the file: " + e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void validBaseFileOpens() throws Exception {
    Path f = tmp.resolve("ok.safetensors");
    Files.write(f, file(VALID, 22));
    try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
      assertEquals(4, r.get("a").toFloatArray().length);
      assertEquals(3, r.get("b").toFloatArray().length);
      assertEquals(Map.of("format", "pt"), r.metadata());
    }
  }

  @Test
  void specificMessagesNameTheProblem() throws Exception {
    assertMessage(file("{" + tensor("w", "\"F64\"", "[1]", "[0,8]") + "}", 8), "tensor 'w'", "dtype 'F64'", "F32, F16, BF16");
    assertMessage(file("{" + tensor("w", "\"F32\"", "[2,3]", "[0,16]") + "}", 16), "tensor 'w'", "24 bytes", "span 16");
    assertMessage(file(VALID, 21), "past the data area");
    assertMessage(file(1L << 40, VALID.getBytes(StandardCharsets.UTF_8), 22), "header length");
    assertMessage(file("[1]", 0), "JSON object");
  }

  private void assertMessage(byte[] bytes, String... parts) throws Exception {
    Path f = tmp.resolve("m.safetensors");
    Files.write(f, bytes);
    UserError e = assertThrows(UserError.class, () -> openAndReadAll(f));
    for (String p : parts) assertTrue(e.getMessage().contains(p), "'" + p + "' missing from: " + e.getMessage());
  }

  /** Random byte flips over the header of a real file: either a clean UserError or a readable file. */
  @Test
  void randomHeaderFlipsNeverEscapeAsOtherExceptions() throws Exception {
    Map<String, TensorToWrite> tensors = new TreeMap<>(SafeTensorsRoundTripTest.sampleTensors(7));
    tensors.remove("big.bf16");
    Path base = tmp.resolve("base.safetensors");
    SafeTensorsWriter.writeFile(base, tensors);
    byte[] original = Files.readAllBytes(base);
    long headerEnd = 8 + ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    int rejected = 0;
    for (int seed = 0; seed < 400; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      byte[] bytes = original.clone();
      int flips = 1 + rnd.nextInt(4);
      for (int k = 0; k < flips; k++) {
        int at = seed % 10 == 0 ? rnd.nextInt(8) : rnd.nextInt((int) headerEnd);
        bytes[at] = seed % 3 == 0 ? (byte) (bytes[at] ^ (1 << rnd.nextInt(8))) : (byte) rnd.nextInt(256);
      }
      if (seed % 7 == 0) bytes = Arrays.copyOf(bytes, rnd.nextInt(bytes.length));
      rejected += openExpectingOnlyUserError(bytes, "seed " + seed);
    }
    assertTrue(rejected > 300, "most damaged headers are rejected, got " + rejected);
  }

  private int openExpectingOnlyUserError(byte[] bytes, String label) throws Exception {
    Path f = tmp.resolve("fuzz.safetensors");
    Files.write(f, bytes);
    try {
      openAndReadAll(f);
      return 0;
    } catch (UserError expected) {
      return 1;
    } catch (Throwable t) {
      return fail(label + ": " + t, t);
    }
  }

  private static void openAndReadAll(Path f) {
    try (SafeTensorsReader r = SafeTensorsReader.open(f)) {
      for (String name : r.names()) r.get(name).toFloatArray();
    }
  }

  /** A damaged index or missing shard is a UserError too. */
  @Test
  void damagedShardedSets() throws Exception {
    Map<String, TensorToWrite> tensors = new TreeMap<>(SafeTensorsRoundTripTest.sampleTensors(8));
    tensors.remove("big.bf16");
    Path dir = tmp.resolve("sharded");
    SafeTensorsWriter.write(dir, tensors, 100);
    Path index = dir.resolve(SafeTensorsReader.INDEX_FILE);
    ObjectNode good = (ObjectNode) Json.read(index);
    String someTensor = good.get("weight_map").fieldNames().next();
    String itsShard = good.get("weight_map").get(someTensor).textValue();

    Map<String, String> damagedIndexes = new LinkedHashMap<>();
    damagedIndexes.put("not JSON", "{\"weight_map\":");
    damagedIndexes.put("an array", "[]");
    damagedIndexes.put("no weight_map", "{\"metadata\":{}}");
    damagedIndexes.put("weight_map an array", "{\"weight_map\":[]}");
    damagedIndexes.put("shard a number", "{\"weight_map\":{\"" + someTensor + "\":3}}");
    damagedIndexes.put("shard outside the folder", "{\"weight_map\":{\"" + someTensor + "\":\"../" + itsShard + "\"}}");
    damagedIndexes.put("shard with NUL", "{\"weight_map\":{\"" + someTensor + "\":\"a\\u0000b\"}}");
    damagedIndexes.put("missing shard", "{\"weight_map\":{\"" + someTensor + "\":\"model-00009-of-00009.safetensors\"}}");
    ObjectNode wrongShard = good.deepCopy();
    String otherShard = SafeTensorsWriter.shardName(1, countShards(dir));
    if (otherShard.equals(itsShard)) otherShard = SafeTensorsWriter.shardName(2, countShards(dir));
    ((ObjectNode) wrongShard.get("weight_map")).put(someTensor, otherShard);
    damagedIndexes.put("tensor in the wrong shard", Json.compact(wrongShard));
    ObjectNode unmapped = good.deepCopy();
    ((ObjectNode) unmapped.get("weight_map")).remove(someTensor);
    damagedIndexes.put("tensor missing from weight_map", Json.compact(unmapped));

    for (var e : damagedIndexes.entrySet()) {
      Files.writeString(index, e.getValue());
      UserError err = assertThrows(UserError.class, () -> openAndReadAll(dir), e.getKey());
      assertTrue(!err.getMessage().isBlank(), e.getKey());
    }
    Files.writeString(index, Json.compact(good));
    openAndReadAll(dir);
    Files.delete(dir.resolve(itsShard));
    UserError missing = assertThrows(UserError.class, () -> openAndReadAll(dir));
    assertTrue(missing.getMessage().contains(itsShard), missing.getMessage());
  }

  private static int countShards(Path dir) throws Exception {
    try (var files = Files.list(dir)) {
      return (int) files.filter(p -> p.getFileName().toString().startsWith("model-")).count();
    }
  }

  @Test
  void folderWithoutWeightsSaysWhatIsMissing() throws Exception {
    Files.writeString(tmp.resolve("pytorch_model.bin"), "x");
    UserError e = assertThrows(UserError.class, () -> SafeTensorsReader.open(tmp));
    assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("pytorch_model.bin"), e.getMessage());
    assertThrows(UserError.class, () -> SafeTensorsReader.open(tmp.resolve("nope.safetensors")));
  }
}
