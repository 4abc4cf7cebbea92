package io.cream.io;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A tensor to be saved: its dtype (F32 exactly, BF16/F16 rounded to nearest even), its shape, and
 * where its float32 values come from. Everything the file's header needs (dtype, shape, byte
 * size) is known without the values, so a writer can lay out a whole file first and then read the
 * values of one tensor at a time: {@link #later} tensors are read (downloaded from a device, copied
 * out of host memory) only when the writer reaches them, and dropped when it moves on, so saving a
 * model holds one tensor's values in the heap, not the model's. {@code shape} is copied.
 */
public final class TensorToWrite {
  private final DType dtype;
  private final long[] shape;
  private final long numel;
  private final float[] held;
  private final Supplier<float[]> source;

  private TensorToWrite(DType dtype, long[] shape, float[] held, Supplier<float[]> source) {
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    this.shape = shape.clone();
    try {
      this.numel = Shapes.numel(this.shape);
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("invalid shape " + Arrays.toString(shape) + ": " + e.getMessage());
    }
    this.held = held;
    this.source = source;
    if (held != null) requireLength(held);
  }

  /** A tensor whose values are already at hand; {@code data} is not copied (it is read when written). */
  public TensorToWrite(DType dtype, long[] shape, float[] data) {
    this(dtype, shape, Objects.requireNonNull(data, "data"), null);
  }

  /** A tensor of the given dtype and shape, its values at hand. */
  public static TensorToWrite of(DType dtype, float[] data, long... shape) {
    return new TensorToWrite(dtype, shape, data);
  }

  /**
   * A tensor whose values {@code source} gives when the writer reaches it: a new array for each
   * call, of the shape's element count.
   */
  public static TensorToWrite later(DType dtype, long[] shape, Supplier<float[]> source) {
    return new TensorToWrite(dtype, shape, null, Objects.requireNonNull(source, "source"));
  }

  public DType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** Elements, from the shape. */
  public long numel() {
    return numel;
  }

  /**
   * The values: the array given at construction, or, for a {@link #later} tensor, a new array read
   * from its source now (checked against the shape; the caller may drop or edit it).
   */
  public float[] data() {
    return held != null ? held : requireLength(source.get());
  }

  /** This tensor with its values read now and kept (for a test that edits them before writing). */
  public TensorToWrite held() {
    return held != null ? this : new TensorToWrite(dtype, shape, data());
  }

  /** Bytes this tensor takes in the file. */
  public long byteSize() {
    return Math.multiplyExact(numel, dtype.byteSize());
  }

  private float[] requireLength(float[] data) {
    if (data.length != numel) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + numel
          + " elements but data has " + data.length);
    }
    return data;
  }

  @Override
  public String toString() {
    return "TensorToWrite[" + dtype + ", " + Arrays.toString(shape) + "]";
  }
}
