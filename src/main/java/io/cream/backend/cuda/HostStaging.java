package io.cream.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Transfers between Java arrays and device memory through two page-locked host buffers (heap
 * arrays cannot be handed to the driver, and pageable copies are slow and synchronous). Uploads
 * are asynchronous: a chunk is copied into a pinned buffer, its copy queued on the stream, and the
 * buffer is reused only after an event says that copy ran, so the host can stay ahead of the
 * device. Downloads wait for the stream, which also reports any failed kernel queued earlier.
 */
final class HostStaging {
  private static final long CHUNK = 8L << 20;

  private final CudaContext ctx;
  private final MemorySegment[] buffers = new MemorySegment[2];
  private final MemorySegment[] events = new MemorySegment[2];
  private final boolean[] pending = new boolean[2];
  private int next;

  HostStaging(CudaContext ctx) {
    this.ctx = ctx;
  }

  /** Queues a copy of all of src (a heap or native segment) to device address dst. */
  synchronized void upload(MemorySegment src, long dst) {
    ctx.makeCurrent();
    long bytes = src.byteSize();
    for (long off = 0; off < bytes; off += CHUNK) {
      long n = Math.min(CHUNK, bytes - off);
      int slot = take();
      MemorySegment.copy(src, off, buffers[slot], 0, n);
      ctx.driver.copyHostToDevice(dst + off, buffers[slot], n, ctx.stream);
      ctx.driver.record(events[slot], ctx.stream);
      pending[slot] = true;
    }
  }

  /** Copies dst.byteSize() bytes from device address src into dst, waiting for the stream. */
  synchronized void download(long src, MemorySegment dst) {
    ctx.makeCurrent();
    long bytes = dst.byteSize();
    for (long off = 0; off < bytes; off += CHUNK) {
      long n = Math.min(CHUNK, bytes - off);
      int slot = take();
      ctx.driver.copyDeviceToHost(buffers[slot], src + off, n, ctx.stream);
      ctx.driver.synchronize(ctx.stream);
      MemorySegment.copy(buffers[slot], 0, dst, off, n);
    }
    if (bytes == 0) ctx.driver.synchronize(ctx.stream);
  }

  /** The next buffer, allocated on first use and free of any copy still in flight. */
  private int take() {
    int slot = next;
    next ^= 1;
    if (buffers[slot] == null) {
      buffers[slot] = ctx.driver.allocHost(CHUNK);
      events[slot] = ctx.driver.createEvent(false);
    }
    if (pending[slot]) {
      ctx.driver.waitFor(events[slot]);
      pending[slot] = false;
    }
    return slot;
  }
}
