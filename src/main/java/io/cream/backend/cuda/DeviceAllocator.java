package io.cream.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * A caching allocator for device memory. cuMemAlloc and cuMemFree are slow and cuMemFree waits
 * for the device, so freed blocks are kept by size and handed out again. Sizes are rounded (to
 * 512 bytes below 1 MiB, to 2 MiB above) so that blocks of similar tensors match. Reuse is safe
 * without events because all work runs on one stream: a block freed by the host is only reused by
 * work queued after the work that used it. When the driver is out of memory the cache is returned
 * to it (after waiting for the stream) and the allocation tried again. The GC never frees device
 * memory: tensors are closed explicitly, and closing the backend frees all of its blocks.
 */
final class DeviceAllocator {
  /** The raw driver calls, an interface so the bookkeeping can be tested without a GPU. */
  interface Raw {
    /** A new block, or 0 when the device is out of memory. */
    long allocate(long bytes);

    void free(long pointer);

    /** Waits until no queued work can still use any block. */
    void synchronize();
  }

  private static final long SMALL_LIMIT = 1L << 20;
  private static final long SMALL_STEP = 512;
  private static final long LARGE_STEP = 2L << 20;

  private final Raw raw;
  private final Map<Long, ArrayDeque<Long>> cached = new HashMap<>();
  private long cachedBytes;
  private long liveBytes;
  private long peakLiveBytes;

  DeviceAllocator(Raw raw) {
    this.raw = raw;
  }

  /** The block size a request of bytes gets. */
  static long blockSize(long bytes) {
    long step = bytes <= SMALL_LIMIT ? SMALL_STEP : LARGE_STEP;
    long n = Math.max(1, (bytes + step - 1) / step);
    return n * step;
  }

  /** A device pointer to at least bytes bytes; release it with the same byte count. */
  synchronized long allocate(long bytes) {
    long size = blockSize(bytes);
    ArrayDeque<Long> free = cached.get(size);
    long p;
    if (free != null && !free.isEmpty()) {
      p = free.pop();
      cachedBytes -= size;
    } else {
      p = raw.allocate(size);
      if (p == 0 && cachedBytes > 0) {
        trim();
        p = raw.allocate(size);
      }
      if (p == 0) {
        throw new CudaException("out of GPU memory: " + mib(size) + " MiB asked for with "
            + mib(liveBytes) + " MiB in live tensors; use a smaller batch or sequence, or free "
            + "tensors that are no longer needed");
      }
    }
    liveBytes += size;
    peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
    return p;
  }

  /** Returns a block to the cache. */
  synchronized void release(long pointer, long bytes) {
    long size = blockSize(bytes);
    cached.computeIfAbsent(size, s -> new ArrayDeque<>()).push(pointer);
    cachedBytes += size;
    liveBytes -= size;
  }

  /** Frees every cached block to the driver. */
  synchronized void trim() {
    if (cachedBytes == 0) return;
    raw.synchronize();
    for (ArrayDeque<Long> blocks : cached.values()) {
      for (long p : blocks) raw.free(p);
    }
    cached.clear();
    cachedBytes = 0;
  }

  synchronized long liveBytes() {
    return liveBytes;
  }

  synchronized long cachedBytes() {
    return cachedBytes;
  }

  synchronized long peakLiveBytes() {
    return peakLiveBytes;
  }

  private static long mib(long bytes) {
    return (bytes + (1 << 20) - 1) >> 20;
  }
}
