package io.cream.backend.cpu;

import io.cream.backend.Tensor;

/**
 * A CPU tensor: a window of rows over a float[] shared by the owning tensor and its views. Ops read
 * {@link #array()} from {@link #offset()}, row-major with row stride {@link #cols()}.
 */
public final class CpuTensor implements Tensor {
  /** The storage an owner and its views share; closing the owner drops the array. */
  private static final class Storage {
    float[] data;

    Storage(float[] data) {
      this.data = data;
    }
  }

  private final Storage storage;
  private final int offset;
  private final int rows;
  private final int cols;
  private final boolean view;

  private CpuTensor(Storage storage, int offset, int rows, int cols, boolean view) {
    this.storage = storage;
    this.offset = offset;
    this.rows = rows;
    this.cols = cols;
    this.view = view;
  }

  /** A new owning tensor over data, which must hold exactly rows·cols floats. */
  static CpuTensor wrap(float[] data, int rows, int cols) {
    checkDims(rows, cols);
    if (data.length != (long) rows * cols) {
      throw new IllegalArgumentException(
          data.length + " floats given for a " + rows + "×" + cols + " tensor");
    }
    return new CpuTensor(new Storage(data), 0, rows, cols, false);
  }

  static CpuTensor zeros(int rows, int cols) {
    checkDims(rows, cols);
    long n = (long) rows * cols;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "a " + rows + "×" + cols + " tensor exceeds the CPU limit of 2^31 floats");
    }
    return new CpuTensor(new Storage(new float[(int) n]), 0, rows, cols, false);
  }

  /** The CPU tensor behind t; rejects tensors of other backends and closed ones. */
  static CpuTensor of(Tensor t) {
    if (t instanceof CpuTensor c) {
      c.array();
      return c;
    }
    throw new IllegalArgumentException(t == null ? "tensor is null"
        : "tensor of another backend (" + t.getClass().getSimpleName() + ") given to the CPU backend");
  }

  /** Like {@link #of} but lets null through (optional arguments). */
  static CpuTensor orNull(Tensor t) {
    return t == null ? null : of(t);
  }

  /** The backing array; its element (r, c) lives at offset() + r·cols() + c. */
  float[] array() {
    float[] d = storage.data;
    if (d == null) throw new IllegalStateException("tensor used after close()");
    return d;
  }

  int offset() {
    return offset;
  }

  /** The size as an int (CPU tensors never exceed an array). */
  int length() {
    return rows * cols;
  }

  /** True when both windows touch a common element of the same array. */
  boolean overlaps(CpuTensor other) {
    return storage == other.storage
        && offset < other.offset + other.length() && other.offset < offset + length();
  }

  @Override
  public int rows() {
    return rows;
  }

  @Override
  public int cols() {
    return cols;
  }

  @Override
  public CpuTensor rows(int first, int count) {
    if (first < 0 || count < 0 || first + count > rows) {
      throw new IllegalArgumentException(
          "rows [" + first + ", " + (first + count) + ") outside a tensor of " + rows + " rows");
    }
    return new CpuTensor(storage, offset + first * cols, count, cols, true);
  }

  @Override
  public boolean isView() {
    return view;
  }

  @Override
  public void close() {
    if (!view) storage.data = null;
  }

  @Override
  public String toString() {
    return "CpuTensor[" + rows + "×" + cols + (view ? ", view" : "") + "]";
  }

  private static void checkDims(int rows, int cols) {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException("bad tensor shape " + rows + "×" + cols);
    }
  }
}
