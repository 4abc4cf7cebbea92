package io.cream.backend.cuda;

import io.cream.backend.Backend.HostCopy;
import io.cream.backend.HostFloats;
import java.lang.foreign.MemorySegment;

/**
 * Copies between device tensors and page-locked host memory ({@link HostFloats} from
 * {@link #allocate}, cuMemAllocHost): queued on the backend's stream with cuMemcpy*Async straight
 * from or into the host buffer (DMA, no staging), each followed by an event that
 * {@link HostCopy#await} waits for, so the host works on one buffer while the next copy runs. A
 * copy into a bf16 tensor ({@code matmulWeight} in bf16 mode) lands in an fp32 scratch buffer of
 * at most {@link #CHUNK} values at a time and is rounded to nearest even on the device, chunk
 * after chunk (the stream orders each chunk's copy after the previous chunk's rounding). Memory
 * that is not page-locked, and bf16 tensors copied to the host, take the staged paths of
 * download and write.
 */
final class HostTransfers {
  /** Values per rounding chunk of a copy into a bf16 tensor: a 64 MiB fp32 scratch buffer. */
  static final long CHUNK = 1L << 24;

  private final Workspace ws;
  private final Bf16Cast cast;

  HostTransfers(Workspace ws, Bf16Cast cast) {
    this.ws = ws;
    this.cast = cast;
  }

  /** count zeroed floats of page-locked host memory, freed on close. */
  HostFloats allocate(long count) {
    CudaContext ctx = ws.ctx;
    ctx.makeCurrent();
    long bytes = Math.max(1, count) * Float.BYTES;
    MemorySegment seg = ctx.driver.allocHost(bytes);
    seg.fill((byte) 0);
    return new HostFloats(seg, count, true, () -> {
      ctx.makeCurrent();
      ctx.driver.freeHost(seg);
    });
  }

  /** Queues dst[at, at + n) ← t (float32, n = t.size()) and an event after it. */
  HostCopy toHost(CudaTensor t, HostFloats dst, long at) {
    long bytes = t.size() * Float.BYTES;
    if (bytes == 0) return HostCopy.DONE;
    ws.ctx.makeCurrent();
    MemorySegment target = dst.segment().asSlice(at * Float.BYTES, bytes);
    ws.ctx.driver.copyDeviceToHost(target, t.pointer(), bytes, ws.ctx.stream);
    return recorded();
  }

  /** Queues t ← src[at, at + t.size()) (rounded to bf16 for a bf16 tensor) and an event after it. */
  HostCopy fromHost(HostFloats src, long at, CudaTensor t) {
    long n = t.size();
    if (n == 0) return HostCopy.DONE;
    ws.ctx.makeCurrent();
    MemorySegment from = src.segment().asSlice(at * Float.BYTES, n * Float.BYTES);
    if (!t.isBf16()) {
      ws.ctx.driver.copyHostToDevice(t.pointer(), from, n * Float.BYTES, ws.ctx.stream);
      return recorded();
    }
    try (Workspace.Scratch s = ws.scratch(Math.min(n, CHUNK) * Float.BYTES)) {
      for (long off = 0; off < n; off += CHUNK) {
        long len = Math.min(CHUNK, n - off);
        ws.ctx.driver.copyHostToDevice(s.pointer, from.asSlice(off * Float.BYTES, len * Float.BYTES),
            len * Float.BYTES, ws.ctx.stream);
        cast.round(s.pointer, t.pointer() + off * Bf16Cast.BYTES, len);
      }
    }
    return recorded();
  }

  /** An event recorded on the stream now; await waits for it once, then destroys it. */
  private HostCopy recorded() {
    CudaContext ctx = ws.ctx;
    MemorySegment event = ctx.driver.createEvent(false);
    ctx.driver.record(event, ctx.stream);
    return new HostCopy() {
      private boolean done;

      @Override
      public void await() {
        if (done) return;
        ctx.makeCurrent();
        ctx.driver.waitFor(event);
        ctx.driver.destroyEvent(event);
        done = true;
      }
    };
  }
}
