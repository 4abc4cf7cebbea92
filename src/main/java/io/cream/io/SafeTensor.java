package io.cream.io;

import io.cream.util.Parallel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a safetensors file: its raw little-endian bytes stay in the memory-mapped file
 * ({@code data}) until converted. The data is valid only while the reader that produced it is open.
 * {@code shape} is copied on the way in and out, so the record cannot be changed through it.
 */
public record SafeTensor(String name, DType dtype, long[] shape, MemorySegment data) {
  static final ValueLayout.OfFloat F32_LE =
      ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  static final ValueLayout.OfShort I16_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final int CHUNK = 1 << 16;

  public SafeTensor {
    Objects.requireNonNull(name);
    Objects.requireNonNull(dtype);
    shape = shape.clone();
    if (data.byteSize() != Shapes.numel(shape) * dtype.byteSize()) {
      throw new IllegalArgumentException("tensor '" + name + "': " + data.byteSize()
          + " bytes do not match shape " + Arrays.toString(shape) + " of " + dtype);
    }
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements (1 for a scalar of shape []). */
  public long numel() {
    return data.byteSize() / dtype.byteSize();
  }

  /** All elements as float32, converting F16/BF16 exactly. */
  public float[] toFloatArray() {
    long n = numel();
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("tensor '" + name + "' has " + n
          + " elements, more than a Java array holds; read it in parts with readFloats");
    }
    float[] out = new float[(int) n];
    int chunks = (int) ((n + CHUNK - 1) / CHUNK);
    Parallel.forRange(chunks, 4, (c0, c1) -> {
      long start = (long) c0 * CHUNK;
      long end = Math.min(n, (long) c1 * CHUNK);
      readFloats(start, out, (int) start, (int) (end - start));
    });
    return out;
  }

  /** Converts elements [first, first + count) into dst[dstOffset ...]. */
  public void readFloats(long first, float[] dst, int dstOffset, int count) {
    Objects.checkFromIndexSize(first, count, numel());
    Objects.checkFromIndexSize(dstOffset, count, dst.length);
    long byteOffset = first * dtype.byteSize();
    if (dtype == DType.F32) {
      MemorySegment.copy(data, F32_LE, byteOffset, dst, dstOffset, count);
      return;
    }
    short[] scratch = new short[Math.min(count, CHUNK)];
    for (int done = 0; done < count; ) {
      int len = Math.min(scratch.length, count - done);
      MemorySegment.copy(data, I16_LE, byteOffset + 2L * done, scratch, 0, len);
      if (dtype == DType.BF16) {
        for (int i = 0; i < len; i++) dst[dstOffset + done + i] = HalfFloats.bf16ToFloat(scratch[i]);
      } else {
        for (int i = 0; i < len; i++) dst[dstOffset + done + i] = HalfFloats.f16ToFloat(scratch[i]);
      }
      done += len;
    }
  }

  @Override
  public String toString() {
    return "SafeTensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
  }
}
