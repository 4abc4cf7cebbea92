package io.cream.gguf;

import io.cream.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

/**
 * Writes a GGUF version 3 file: the magic "GGUF", the version, the tensor and key counts, the
 * key-value pairs, one record per tensor (name, dimensions, ggml type, offset into the data
 * section), then the data section, which starts and keeps every tensor at a multiple of 32 bytes
 * (GGUF's default alignment, so no general.alignment key is needed). The file appears whole or
 * not at all (written beside the target and renamed).
 */
public final class GgufWriter {
  public static final int VERSION = 3;
  public static final int ALIGNMENT = 32;
  private static final byte[] MAGIC = "GGUF".getBytes(StandardCharsets.US_ASCII);
  /** Values encoded per chunk: bounds the buffer, whatever the tensor's size. */
  private static final int CHUNK_VALUES = 1 << 18;

  private GgufWriter() {}

  public static void write(Path file, GgufMetadata metadata, List<GgufTensor> tensors) throws IOException {
    var names = new HashSet<String>();
    for (GgufTensor t : tensors)
      if (!names.add(t.name())) throw new IllegalArgumentException("tensor named twice: " + t.name());
    AtomicFiles.write(file, stream -> {
      GgufOutput out = new GgufOutput(stream);
      out.bytes(MAGIC, MAGIC.length);
      out.u32(VERSION);
      out.u64(tensors.size());
      out.u64(metadata.size());
      metadata.writeTo(out);
      long offset = 0;
      for (GgufTensor t : tensors) {
        out.string(t.name());
        long[] dims = t.dims();
        out.u32(dims.length);
        for (long d : dims) out.u64(d);
        out.u32(t.type().id());
        out.u64(offset);
        offset = align(offset + t.byteSize());
      }
      out.padTo(ALIGNMENT);
      for (GgufTensor t : tensors) {
        writeData(out, t);
        out.padTo(ALIGNMENT);
      }
    });
  }

  /** Encodes whole rows at a time so a Q8_0 block never straddles two chunks. */
  private static void writeData(GgufOutput out, GgufTensor t) throws IOException {
    int row = (int) t.dims()[0];
    float[] v = t.values();
    int rowsPerChunk = Math.max(1, CHUNK_VALUES / row);
    ByteBuffer buf = ByteBuffer.allocate((int) t.type().byteSize((long) rowsPerChunk * row)).order(ByteOrder.LITTLE_ENDIAN);
    for (int start = 0; start < v.length; start += rowsPerChunk * row) {
      int count = Math.min(rowsPerChunk * row, v.length - start);
      buf.clear();
      t.type().encode(v, start, count, buf);
      out.bytes(buf.array(), buf.position());
    }
  }

  static long align(long n) {
    return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
  }
}
