package io.cream.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor to write: its GGUF name, its shape in ggml's order (dims[0] is the contiguous
 * dimension, so a Hugging Face weight [out, in] is [in, out] here and its bytes do not move), the
 * type to store it as, and float32 values in row-major order. {@code values} is not copied.
 */
public record GgufTensor(String name, long[] dims, GgmlType type, float[] values) {
  public GgufTensor {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    dims = dims.clone();
    long n = 1;
    for (long d : dims) {
      if (d <= 0) throw new IllegalArgumentException(name + ": dimension " + d + " in " + Arrays.toString(dims));
      n = Math.multiplyExact(n, d);
    }
    if (n != values.length)
      throw new IllegalArgumentException(name + ": shape " + Arrays.toString(dims) + " holds " + n + " values, got " + values.length);
    if (!type.fitsRow(dims[0]))
      throw new IllegalArgumentException(name + ": rows of " + dims[0] + " are not whole " + type + " blocks");
  }

  @Override
  public long[] dims() {
    return dims.clone();
  }

  /** Bytes this tensor takes in the file (before alignment padding). */
  public long byteSize() {
    return type.byteSize(values.length);
  }

  @Override
  public String toString() {
    return "GgufTensor[" + name + ", " + Arrays.toString(dims) + ", " + type + "]";
  }
}
