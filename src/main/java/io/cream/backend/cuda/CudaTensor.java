package io.cream.backend.cuda;

import io.cream.backend.Tensor;

/**
 * A tensor in device memory: a window of rows over a block that the owning tensor and its views
 * share. {@link #pointer()} is the device address of element (0, 0); rows follow each other with
 * stride {@link #cols()}, so every tensor and view is one contiguous range. Elements are float32,
 * except for the bf16 activations that only feed matrix products ({@link Dtype#BF16}, made by
 * {@link CudaBackend#matmulInput} in bf16 mode).
 */
final class CudaTensor implements Tensor {
  /** The element type: float32 everywhere but the bf16 inputs of matrix products. */
  enum Dtype {
    F32(Float.BYTES), BF16(2);

    final long bytes;

    Dtype(long bytes) {
      this.bytes = bytes;
    }
  }

  /** The device block an owner and its views share; closing the owner returns it. */
  static final class Storage {
    final long base;
    final long bytes;
    final CudaBackend owner;
    final Dtype dtype;
    boolean closed;

    Storage(long base, long bytes, CudaBackend owner, Dtype dtype) {
      this.base = base;
      this.bytes = bytes;
      this.owner = owner;
      this.dtype = dtype;
    }
  }

  private final Storage storage;
  private final long offset; // in elements from storage.base
  private final int rows;
  private final int cols;
  private final boolean view;

  CudaTensor(Storage storage, long offset, int rows, int cols, boolean view) {
    this.storage = storage;
    this.offset = offset;
    this.rows = rows;
    this.cols = cols;
    this.view = view;
  }

  /** The device address of element (0, 0); throws once the owner is closed. */
  long pointer() {
    if (storage.closed) throw new IllegalStateException("tensor used after close()");
    return storage.base + offset * storage.dtype.bytes;
  }

  long bytes() {
    return size() * storage.dtype.bytes;
  }

  Dtype dtype() {
    return storage.dtype;
  }

  boolean isBf16() {
    return storage.dtype == Dtype.BF16;
  }

  Storage storage() {
    return storage;
  }

  /** True when both tensors touch a common element of the same block. */
  boolean overlaps(CudaTensor other) {
    return storage == other.storage
        && offset < other.offset + other.size() && other.offset < offset + size();
  }

  /** Same storage and same first element (an op working in place). */
  boolean sameStart(CudaTensor other) {
    return storage == other.storage && offset == other.offset;
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
  public CudaTensor rows(int first, int count) {
    if (first < 0 || count < 0 || (long) first + count > rows) {
      throw new IllegalArgumentException(
          "rows [" + first + ", " + ((long) first + count) + ") outside a tensor of " + rows + " rows");
    }
    return new CudaTensor(storage, offset + (long) first * cols, count, cols, true);
  }

  @Override
  public boolean isView() {
    return view;
  }

  @Override
  public void close() {
    if (!view && !storage.closed) storage.owner.release(storage);
  }

  @Override
  public String toString() {
    return "CudaTensor[" + rows + "×" + cols + (isBf16() ? ", bf16" : "") + (view ? ", view" : "")
        + "]";
  }
}
