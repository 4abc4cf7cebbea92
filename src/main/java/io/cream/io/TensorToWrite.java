package io.cream.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to be saved: float32 values and the dtype to store them as (F32 exactly, BF16/F16
 * rounded to nearest even). {@code shape} is copied, and its element count must equal
 * {@code data.length}; {@code data} is not copied (it is read when the file is written).
 */
public record TensorToWrite(DType dtype, long[] shape, float[] data) {
  public TensorToWrite {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(data, "data");
    shape = shape.clone();
    long n;
    try {
      n = Shapes.numel(shape);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("invalid shape " + Arrays.toString(shape) + ": " + e.getMessage());
    }
    if (n != data.length) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
          + " elements but data has " + data.length);
    }
  }

  /** A tensor of the given dtype and shape. */
  public static TensorToWrite of(DType dtype, float[] data, long... shape) {
    return new TensorToWrite(dtype, shape, data);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Bytes this tensor takes in the file. */
  public long byteSize() {
    return (long) data.length * dtype.byteSize();
  }

  @Override
  public String toString() {
    return "TensorToWrite[" + dtype + ", " + Arrays.toString(shape) + "]";
  }
}
