package io.cream.backend.cuda;

import java.lang.foreign.MemorySegment;

/**
 * What the op classes share: the device context and the backend's allocator, with temporary
 * device buffers (ids, partial sums, per-row results) and transfers of small host arrays.
 * Temporary buffers go back to the cache as soon as the work using them is queued, which is safe
 * because the stream runs that work before anything queued later.
 */
final class Workspace {
  /** Threads per block of the elementwise and row kernels. */
  static final int THREADS = 256;

  final CudaContext ctx;
  final DeviceAllocator allocator;

  Workspace(CudaContext ctx, DeviceAllocator allocator) {
    this.ctx = ctx;
    this.allocator = allocator;
  }

  /** A temporary device buffer; close it once the work that uses it is queued. */
  final class Scratch implements AutoCloseable {
    final long pointer;
    private final long bytes;
    private boolean closed;

    private Scratch(long bytes) {
      this.bytes = bytes;
      this.pointer = allocator.allocate(bytes);
    }

    @Override
    public void close() {
      if (!closed) allocator.release(pointer, bytes);
      closed = true;
    }
  }

  Scratch scratch(long bytes) {
    return new Scratch(bytes);
  }

  /** A temporary device copy of ints (queued; the host array may change right after). */
  Scratch upload(int[] values) {
    Scratch s = new Scratch(Math.max(1, values.length) * 4L);
    ctx.staging.upload(MemorySegment.ofArray(values), s.pointer);
    return s;
  }

  /** A temporary device copy of longs (queued; the host array may change right after). */
  Scratch upload(long[] values) {
    Scratch s = new Scratch(Math.max(1, values.length) * 8L);
    ctx.staging.upload(MemorySegment.ofArray(values), s.pointer);
    return s;
  }

  void upload(float[] values, long dst) {
    ctx.staging.upload(MemorySegment.ofArray(values), dst);
  }

  float[] downloadFloats(long src, long count) {
    float[] out = new float[Math.toIntExact(count)];
    ctx.staging.download(src, MemorySegment.ofArray(out));
    return out;
  }

  /** count bf16 values from src, each widened exactly to float32 (bf16 is float32's top half). */
  float[] downloadBf16(long src, long count) {
    short[] bits = new short[Math.toIntExact(count)];
    ctx.staging.download(src, MemorySegment.ofArray(bits));
    float[] out = new float[bits.length];
    for (int i = 0; i < bits.length; i++) out[i] = Float.intBitsToFloat(bits[i] << 16);
    return out;
  }

  double[] downloadDoubles(long src, int count) {
    double[] out = new double[count];
    ctx.staging.download(src, MemorySegment.ofArray(out));
    return out;
  }

  int[] downloadInts(long src, int count) {
    int[] out = new int[count];
    ctx.staging.download(src, MemorySegment.ofArray(out));
    return out;
  }

  Kernel kernel(String file, String function) {
    return ctx.kernel(file, function);
  }

  /** Blocks for a grid-stride loop over n elements: enough to fill the device, never more. */
  int gridFor(long n) {
    long blocks = (n + THREADS - 1) / THREADS;
    return (int) Math.max(1, Math.min(blocks, 32L * ctx.multiprocessors));
  }

  static int ceilDiv(long a, long b) {
    return Math.toIntExact((a + b - 1) / b);
  }

  static final long FLOAT = 4, DOUBLE = 8, INT = 4;
}
