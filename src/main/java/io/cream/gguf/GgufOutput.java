package io.cream.gguf;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A little-endian stream that counts what it wrote, so the writer can pad to GGUF's alignment.
 * GGUF strings are a uint64 byte length and UTF-8 bytes without a terminator.
 */
final class GgufOutput {
  private final OutputStream out;
  private final ByteBuffer scratch = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
  private long position;

  GgufOutput(OutputStream out) {
    this.out = out;
  }

  long position() {
    return position;
  }

  void u8(int v) throws IOException {
    out.write(v);
    position++;
  }

  void u32(long v) throws IOException {
    if (v < 0 || v > 0xffffffffL) throw new IllegalArgumentException(v + " does not fit a uint32");
    flushScratch(scratch.clear().putInt((int) v));
  }

  void i32(int v) throws IOException {
    flushScratch(scratch.clear().putInt(v));
  }

  void u64(long v) throws IOException {
    if (v < 0) throw new IllegalArgumentException(v + " does not fit a uint64 here");
    flushScratch(scratch.clear().putLong(v));
  }

  void f32(float v) throws IOException {
    flushScratch(scratch.clear().putFloat(v));
  }

  void string(String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    u64(bytes.length);
    bytes(bytes, bytes.length);
  }

  void bytes(byte[] bytes, int length) throws IOException {
    out.write(bytes, 0, length);
    position += length;
  }

  /** Zero bytes up to the next multiple of {@code alignment}. */
  void padTo(int alignment) throws IOException {
    while (position % alignment != 0) u8(0);
  }

  private void flushScratch(ByteBuffer b) throws IOException {
    bytes(b.array(), b.position());
  }
}
