package io.cream.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cream.util.UserError;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of one safetensors file. Layout: an 8-byte little-endian header length n,
 * n bytes of UTF-8 JSON ({@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}}), then the data area the offsets index into. Every check
 * failure is a {@link UserError} naming the file (and tensor); nothing is trusted.
 */
public record SafeTensorsHeader(List<Entry> tensors, Map<String, String> metadata, long dataStart) {

  /** Largest header accepted, as in the reference implementation. */
  public static final long MAX_HEADER_BYTES = 100_000_000L;

  /** One tensor's description; offsets are relative to the data area. */
  public record Entry(String name, DType dtype, long[] shape, long begin, long end) {}

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** Parses and validates the header of a whole mapped file; {@code file} names it in errors. */
  public static SafeTensorsHeader parse(String file, MemorySegment whole) {
    long size = whole.byteSize();
    if (size < 8) {
      throw error(file, "file is only " + size + " bytes, too short for the 8-byte header length");
    }
    long n = whole.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
    if (n < 2 || n > MAX_HEADER_BYTES) {
      throw error(file, "header length " + n + " is out of range [2, " + MAX_HEADER_BYTES + "]");
    }
    if (n > size - 8) {
      throw error(file, "header length " + n + " runs past the end of the file (" + size + " bytes; truncated?)");
    }
    JsonNode root = parseJson(file, whole.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
    long dataSize = size - 8 - n;

    Map<String, String> metadata = Map.of();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : root.properties()) {
      if (field.getKey().equals("__metadata__")) {
        metadata = metadata(file, field.getValue());
      } else {
        entries.add(entry(file, field.getKey(), field.getValue(), dataSize));
      }
    }
    checkNoOverlap(file, entries);
    return new SafeTensorsHeader(List.copyOf(entries), metadata, 8 + n);
  }

  private static JsonNode parseJson(String file, byte[] bytes) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw error(file, "header is not valid UTF-8");
    }
    JsonNode root;
    try {
      root = STRICT.readTree(text);
    } catch (JacksonException e) {
      throw error(file, "header is not valid JSON (" + firstLine(e.getOriginalMessage()) + ")");
    }
    if (root == null || root.isMissingNode()) throw error(file, "header holds no JSON");
    if (!root.isObject()) {
      throw error(file, "header must be a JSON object, found " + root.getNodeType());
    }
    return root;
  }

  private static Map<String, String> metadata(String file, JsonNode node) {
    if (!node.isObject()) throw error(file, "__metadata__ must be an object of strings");
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (!e.getValue().isTextual()) {
        throw error(file, "__metadata__ value of '" + e.getKey() + "' must be a string, found " + e.getValue().getNodeType());
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return Map.copyOf(out);
  }

  private static Entry entry(String file, String name, JsonNode node, long dataSize) {
    String where = "tensor '" + name + "': ";
    if (!node.isObject()) throw error(file, where + "entry must be an object with dtype, shape, data_offsets");
    JsonNode dtypeNode = node.get("dtype");
    if (dtypeNode == null || !dtypeNode.isTextual()) throw error(file, where + "'dtype' is missing or not a string");
    DType dtype = DType.fromSafetensorsName(dtypeNode.textValue())
        .orElseThrow(() -> error(file, where + "dtype '" + dtypeNode.textValue()
            + "' is not supported (supported: " + DType.supportedList() + ")"));
    long[] shape = longs(file, where, node.get("shape"), "shape", -1);
    long[] offsets = longs(file, where, node.get("data_offsets"), "data_offsets", 2);
    long begin = offsets[0], end = offsets[1];
    if (begin > end) throw error(file, where + "data_offsets [" + begin + ", " + end + "] are reversed");
    if (end > dataSize) {
      throw error(file, where + "data_offsets end " + end + " lies past the data area (" + dataSize + " bytes; truncated?)");
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(Shapes.numel(shape), dtype.byteSize());
    } catch (ArithmeticException e) {
      throw error(file, where + "shape " + Arrays.toString(shape) + " overflows a 64-bit size");
    }
    if (bytes != end - begin) {
      throw error(file, where + "shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
          + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /** A JSON array of non-negative 64-bit integers; {@code length} -1 means any length. */
  private static long[] longs(String file, String where, JsonNode node, String key, int length) {
    if (node == null || !node.isArray()) throw error(file, where + "'" + key + "' is missing or not an array");
    if (length >= 0 && node.size() != length) {
      throw error(file, where + "'" + key + "' must have " + length + " entries, has " + node.size());
    }
    long[] out = new long[node.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw error(file, where + "'" + key + "' entry " + v + " is not a non-negative 64-bit integer");
      }
      out[i] = v.longValue();
    }
    return out;
  }

  private static void checkNoOverlap(String file, List<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    for (int i = 1; i < sorted.size(); i++) {
      Entry prev = sorted.get(i - 1), cur = sorted.get(i);
      if (cur.begin() < prev.end()) {
        throw error(file, "tensors '" + prev.name() + "' and '" + cur.name() + "' overlap in the data area");
      }
    }
  }

  static UserError error(String file, String detail) {
    // Tensor names and JSON errors may carry control characters; keep the message on one line.
    return new UserError("safetensors file " + file + ": " + detail.replaceAll("\\p{Cntrl}", "?")
        + " (the file is damaged or not safetensors; re-download or re-export it)");
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
