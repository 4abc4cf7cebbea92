package io.cream.backend.cuda;

import io.cream.backend.Tensor;

/**
 * A float32 tensor in device memory: a window of rows over a block that the owning tensor and its
 * views share. {@link #pointer()} is the device address of element (0, 0); rows follow each other
 * with stride {@link #cols()}, so every tensor and view is one contiguous range.
 */
final class CudaTensor implements Tensor {
  static final long BYTES = Float.BYTES;

  /** The device block an owner and its views share; closing the owner returns it. */
  static final class Storage {
    final long base;
    final long bytes;
    final CudaBackend owner;
    boolean closed;

    Storage(long base, long bytes, CudaBackend owner) {
      this.base = base;
      this.bytes = bytes;
      this.owner = owner;
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
    return storage.base + offset * BYTES;
  }

  long bytes() {
    return size() * BYTES;
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
    return "CudaTensor[" + rows + "×" + cols + (view ? ", view" : "") + "]";
  }
}
