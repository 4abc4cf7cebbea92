package io.cream.gguf;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The key-value section of a GGUF file, in insertion order. Only the value types cream writes are
 * offered: uint32, float32, bool, string, and arrays of string, float32 and int32. A key may be
 * set once (GGUF readers reject duplicates).
 */
public final class GgufMetadata {
  /** GGUF's value type ids. */
  private static final int UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7, STRING = 8, ARRAY = 9;

  private record Entry(int type, int elementType, Object value) {}

  private final Map<String, Entry> entries = new LinkedHashMap<>();

  public GgufMetadata putString(String key, String value) {
    return put(key, new Entry(STRING, -1, value));
  }

  public GgufMetadata putUint32(String key, long value) {
    if (value < 0 || value > 0xffffffffL) throw new IllegalArgumentException(key + " = " + value + " does not fit a uint32");
    return put(key, new Entry(UINT32, -1, value));
  }

  /** Stored as float32 (what llama.cpp reads for its float keys). */
  public GgufMetadata putFloat32(String key, double value) {
    return put(key, new Entry(FLOAT32, -1, (float) value));
  }

  public GgufMetadata putBool(String key, boolean value) {
    return put(key, new Entry(BOOL, -1, value));
  }

  public GgufMetadata putStrings(String key, List<String> values) {
    return put(key, new Entry(ARRAY, STRING, List.copyOf(values)));
  }

  public GgufMetadata putFloats(String key, float[] values) {
    return put(key, new Entry(ARRAY, FLOAT32, values.clone()));
  }

  public GgufMetadata putInts(String key, int[] values) {
    return put(key, new Entry(ARRAY, INT32, values.clone()));
  }

  private GgufMetadata put(String key, Entry e) {
    if (entries.putIfAbsent(key, e) != null) throw new IllegalArgumentException("GGUF key set twice: " + key);
    return this;
  }

  /** Keys in the order they will be written. */
  public List<String> keys() {
    return List.copyOf(entries.keySet());
  }

  /**
   * The value of a key as Java sees it (String, Long for uint32, Float, Boolean, List of String,
   * float[] or int[] copies), or null when absent.
   */
  public Object get(String key) {
    Entry e = entries.get(key);
    if (e == null) return null;
    return switch (e.value) {
      case float[] f -> f.clone();
      case int[] i -> i.clone();
      case List<?> l -> Collections.unmodifiableList(l);
      default -> e.value;
    };
  }

  int size() {
    return entries.size();
  }

  void writeTo(GgufOutput out) throws IOException {
    for (var kv : entries.entrySet()) {
      out.string(kv.getKey());
      Entry e = kv.getValue();
      out.u32(e.type);
      if (e.type == ARRAY) {
        out.u32(e.elementType);
        writeArray(out, e);
      } else {
        writeScalar(out, e.type, e.value);
      }
    }
  }

  private static void writeArray(GgufOutput out, Entry e) throws IOException {
    switch (e.value) {
      case List<?> strings -> {
        out.u64(strings.size());
        for (Object s : strings) out.string((String) s);
      }
      case float[] floats -> {
        out.u64(floats.length);
        for (float f : floats) out.f32(f);
      }
      case int[] ints -> {
        out.u64(ints.length);
        for (int i : ints) out.i32(i);
      }
      default -> throw new IllegalStateException("array of " + e.value.getClass());
    }
  }

  private static void writeScalar(GgufOutput out, int type, Object value) throws IOException {
    switch (type) {
      case UINT32 -> out.u32((Long) value);
      case FLOAT32 -> out.f32((Float) value);
      case BOOL -> out.u8((Boolean) value ? 1 : 0);
      case STRING -> out.string((String) value);
      default -> throw new IllegalStateException("type " + type);
    }
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("GgufMetadata{");
    entries.forEach((k, e) -> sb.append(k).append('=').append(switch (e.value) {
      case float[] f -> f.length <= 8 ? Arrays.toString(f) : "float[" + f.length + "]";
      case int[] i -> "int[" + i.length + "]";
      case List<?> l -> "string[" + l.size() + "]";
      default -> e.value;
    }).append(", "));
    return sb.append('}').toString();
  }
}
