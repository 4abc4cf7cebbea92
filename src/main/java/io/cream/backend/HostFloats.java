package io.cream.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * float32 values in host memory outside the Java heap: the optimizer state a run keeps off the
 * device ({@code --offload optimizer}: fp32 master weights and AdamW moments) and the buffers
 * gradients and updated weights cross in. {@link Backend#hostFloats} hands out the kind its copies
 * are fastest with: plain native memory on the CPU, page-locked memory on a GPU (the copies are
 * DMA, with no staging). Native values, zeroed when made; closing frees them (idempotent), and
 * any later use throws IllegalStateException.
 */
public final class HostFloats implements AutoCloseable {
  private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

  private final MemorySegment segment;
  private final long count;
  private final boolean pinned;
  private final Runnable free;
  private boolean closed;

  /**
   * Values over segment (count floats, native byte order); {@code free} releases it on close.
   * {@code pinned}: page-locked, so a GPU copies to and from it directly.
   */
  public HostFloats(MemorySegment segment, long count, boolean pinned, Runnable free) {
    if (count < 0 || segment.byteSize() < count * Float.BYTES) {
      throw new IllegalArgumentException(count + " floats do not fit a segment of "
          + segment.byteSize() + " bytes");
    }
    this.segment = segment.asSlice(0, count * Float.BYTES);
    this.count = count;
    this.pinned = pinned;
    this.free = free;
  }

  /** count zeroed floats of plain native memory (not pinned), freed on close. */
  public static HostFloats allocate(long count) {
    Arena arena = Arena.ofShared();
    try {
      return new HostFloats(arena.allocate(Math.max(1, count) * Float.BYTES, 64), count, false,
          arena::close);
    } catch (OutOfMemoryError | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  /** The values as bytes (count × 4, native order); valid until close. */
  public MemorySegment segment() {
    if (closed) throw new IllegalStateException("host memory used after close()");
    return segment;
  }

  /** Number of floats. */
  public long count() {
    return count;
  }

  /** Whether the memory is page-locked (a GPU copies it without staging). */
  public boolean pinned() {
    return pinned;
  }

  public float get(long i) {
    return segment().getAtIndex(FLOAT, i);
  }

  public void set(long i, float value) {
    segment().setAtIndex(FLOAT, i, value);
  }

  /** this[at, at + src.length) ← src. */
  public void write(long at, float[] src) {
    MemorySegment.copy(src, 0, segment(), FLOAT, at * Float.BYTES, src.length);
  }

  /** A new array of this[at, at + n). */
  public float[] read(long at, int n) {
    float[] out = new float[n];
    MemorySegment.copy(segment(), FLOAT, at * Float.BYTES, out, 0, n);
    return out;
  }

  /** Every value ← 0. */
  public void zero() {
    segment().fill((byte) 0);
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    free.run();
  }

  @Override
  public String toString() {
    return "HostFloats[" + count + (pinned ? ", pinned" : "") + (closed ? ", closed" : "") + "]";
  }
}
