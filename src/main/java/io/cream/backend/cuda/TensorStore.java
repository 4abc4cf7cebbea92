package io.cream.backend.cuda;

import io.cream.backend.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The tensors of one backend: allocation from the caching allocator, the set of live blocks (so
 * closing the backend frees everything it handed out, since the GC never frees device memory),
 * and the checks that a tensor belongs to this backend, is still open and does not overlap
 * another.
 */
final class TensorStore {
  private final CudaBackend owner;
  private final CudaContext ctx;
  private final DeviceAllocator allocator;
  private final Set<CudaTensor.Storage> live = Collections.newSetFromMap(new IdentityHashMap<>());
  private boolean closed;

  TensorStore(CudaBackend owner, CudaContext ctx, DeviceAllocator allocator) {
    this.owner = owner;
    this.ctx = ctx;
    this.allocator = allocator;
  }

  /** A new, uninitialised rows × cols tensor. */
  CudaTensor allocate(int rows, int cols) {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException("bad tensor shape " + rows + "×" + cols);
    }
    ensureOpen();
    long bytes = (long) rows * cols * CudaTensor.BYTES;
    CudaTensor.Storage s = new CudaTensor.Storage(allocator.allocate(bytes), bytes, owner);
    live.add(s);
    return new CudaTensor(s, 0, rows, cols, false);
  }

  /** Returns a block to the allocator (an owning tensor's close()). */
  void release(CudaTensor.Storage s) {
    if (s.closed) return;
    s.closed = true;
    live.remove(s);
    allocator.release(s.base, s.bytes);
  }

  /** Frees every live tensor and hands the cached memory back to the driver. */
  void closeAll() {
    if (closed) return;
    closed = true;
    ctx.makeCurrent();
    for (CudaTensor.Storage s : new ArrayList<>(live)) release(s);
    allocator.trim();
  }

  /** The CUDA tensor behind t; rejects other backends' tensors and closed ones. */
  CudaTensor of(Tensor t) {
    if (t instanceof CudaTensor c && c.storage().owner == owner) {
      ensureOpen();
      c.pointer(); // throws when closed
      return c;
    }
    throw new IllegalArgumentException(t == null ? "tensor is null"
        : "tensor of another backend (" + t + ") given to " + owner.name());
  }

  CudaTensor orNull(Tensor t) {
    return t == null ? null : of(t);
  }

  /** Also makes the device context current on the calling thread (every entry point passes here). */
  private void ensureOpen() {
    if (closed) throw new IllegalStateException("CUDA backend used after close()");
    ctx.makeCurrent();
  }

  /** Each tensor of this backend as a CudaTensor. */
  List<CudaTensor> all(List<? extends Tensor> ts) {
    List<CudaTensor> out = new ArrayList<>(ts.size());
    for (Tensor t : ts) out.add(of(t));
    return out;
  }

  /** Each tensor as a CudaTensor, nulls kept. */
  CudaTensor[] all(Tensor[] ts) {
    CudaTensor[] out = new CudaTensor[ts.length];
    for (int i = 0; i < ts.length; i++) out[i] = orNull(ts[i]);
    return out;
  }
}
