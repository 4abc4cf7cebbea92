package io.cream.gguf;

import io.cream.io.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF reader for tests, written from the format description rather than from the writer, so
 * that a writer mistake shows up as a mismatch: header, every value type, tensor records, data
 * offsets, and the four tensor types decoded back to float.
 */
final class GgufReader {
  record TensorInfo(String name, long[] dims, int type, long offset) {}

  final int version;
  final Map<String, Object> metadata = new LinkedHashMap<>();
  final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
  final long dataStart;
  private final ByteBuffer buf;

  GgufReader(Path file) throws IOException {
    buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[4];
    buf.get(magic);
    if (!new String(magic, StandardCharsets.US_ASCII).equals("GGUF")) throw new IOException("not GGUF");
    version = buf.getInt();
    long nTensors = buf.getLong(), nKv = buf.getLong();
    for (long i = 0; i < nKv; i++) {
      String key = string();
      metadata.put(key, value(buf.getInt()));
    }
    for (long i = 0; i < nTensors; i++) {
      String name = string();
      long[] dims = new long[buf.getInt()];
      for (int d = 0; d < dims.length; d++) dims[d] = buf.getLong();
      tensors.put(name, new TensorInfo(name, dims, buf.getInt(), buf.getLong()));
    }
    dataStart = (buf.position() + 31) / 32 * 32;
  }

  private String string() {
    byte[] b = new byte[Math.toIntExact(buf.getLong())];
    buf.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private Object value(int type) {
    return switch (type) {
      case 0 -> buf.get() & 0xff;
      case 1 -> (int) buf.get();
      case 2 -> buf.getShort() & 0xffff;
      case 3 -> (int) buf.getShort();
      case 4 -> buf.getInt() & 0xffffffffL;
      case 5 -> buf.getInt();
      case 6 -> buf.getFloat();
      case 7 -> buf.get() != 0;
      case 8 -> string();
      case 9 -> {
        int elementType = buf.getInt();
        long n = buf.getLong();
        List<Object> list = new ArrayList<>();
        for (long i = 0; i < n; i++) list.add(value(elementType));
        yield list;
      }
      case 10 -> buf.getLong();
      case 11 -> buf.getLong();
      case 12 -> buf.getDouble();
      default -> throw new IllegalStateException("value type " + type);
    };
  }

  /** A tensor's values as floats (F32, F16, BF16 or Q8_0 decoded). */
  float[] floats(String name) {
    TensorInfo t = tensors.get(name);
    long n = 1;
    for (long d : t.dims()) n *= d;
    float[] out = new float[Math.toIntExact(n)];
    ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(Math.toIntExact(dataStart + t.offset()));
    switch (t.type()) {
      case 0 -> { for (int i = 0; i < out.length; i++) out[i] = b.getFloat(); }
      case 1 -> { for (int i = 0; i < out.length; i++) out[i] = HalfFloats.f16ToFloat(b.getShort()); }
      case 30 -> { for (int i = 0; i < out.length; i++) out[i] = HalfFloats.bf16ToFloat(b.getShort()); }
      case 8 -> {
        for (int i = 0; i < out.length; i += 32) {
          float d = HalfFloats.f16ToFloat(b.getShort());
          for (int j = 0; j < 32; j++) out[i + j] = d * b.get();
        }
      }
      default -> throw new IllegalStateException("tensor type " + t.type());
    }
    return out;
  }

  long fileSize() {
    return buf.capacity();
  }
}
