package io.cream.backend;

/**
 * An opaque handle to a row-major float matrix of {@code rows × cols} owned by one {@link Backend}
 * (the CPU keeps a float[], a GPU a device pointer). Higher ranks are flattened into the two
 * dimensions: activations are [B·T rows × features], attention heads are [B·T × heads·headDim].
 * Only the backend that created a tensor may operate on it.
 */
public interface Tensor extends AutoCloseable {
  int rows();

  int cols();

  /** Number of elements, rows · cols. */
  default long size() {
    return (long) rows() * cols();
  }

  /**
   * A view of rows [first, first + count): it shares this tensor's storage (writes through), owns
   * nothing, and must not be used after the tensor that owns the storage is closed.
   */
  Tensor rows(int first, int count);

  /** True for a view made by {@link #rows}; closing a view does nothing. */
  boolean isView();

  /**
   * Frees the storage (idempotent). Any later use of this tensor or of a view over it throws
   * IllegalStateException. Views ignore close.
   */
  @Override
  void close();
}
