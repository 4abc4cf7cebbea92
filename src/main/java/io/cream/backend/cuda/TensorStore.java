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

  /** A new, uninitialised rows × cols float32 tensor. */
  CudaTensor allocate(int rows, int cols) {
    return allocate(rows, cols, CudaTensor.Dtype.F32);
  }

  /** A new, uninitialised rows × cols tensor of the given element type. */
  CudaTensor allocate(int rows, int cols, CudaTensor.Dtype dtype) {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException("bad tensor shape " + rows + "×" + cols);
    }
    ensureOpen();
    long bytes = (long) rows * cols * dtype.bytes;
    CudaTensor.Storage s = new CudaTensor.Storage(allocator.allocate(bytes), bytes, owner, dtype);
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

  /**
   * The float32 CUDA tensor behind t: every op but the few that take bf16 activations (matrix
   * product inputs, norm and SwiGLU outputs) reads and writes float32 and rejects a bf16 tensor.
   */
  CudaTensor f32(Tensor t) {
    CudaTensor c = of(t);
    if (c.isBf16()) {
      throw new IllegalArgumentException("a bf16 activation tensor (" + c
          + ") given to an op that takes float32; only matrix-product inputs may be bf16");
    }
    return c;
  }

  CudaTensor f32OrNull(Tensor t) {
    return t == null ? null : f32(t);
  }

  /** Also makes the device context current on the calling thread (every entry point passes here). */
  private void ensureOpen() {
    if (closed) throw new IllegalStateException("CUDA backend used after close()");
    ctx.makeCurrent();
  }

  /** Each tensor of this backend as a float32 CudaTensor. */
  List<CudaTensor> all(List<? extends Tensor> ts) {
    List<CudaTensor> out = new ArrayList<>(ts.size());
    for (Tensor t : ts) out.add(f32(t));
    return out;
  }

  /** Each tensor as a float32 CudaTensor, nulls kept. */
  CudaTensor[] all(Tensor[] ts) {
    CudaTensor[] out = new CudaTensor[ts.length];
    for (int i = 0; i < ts.length; i++) out[i] = f32OrNull(ts[i]);
    return out;
  }
}
