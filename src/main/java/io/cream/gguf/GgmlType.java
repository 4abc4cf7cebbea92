package io.cream.gguf;

import io.cream.io.HalfFloats;
import java.nio.ByteBuffer;

/**
 * The ggml tensor types cream writes, with ggml's numeric ids. A type stores values in blocks:
 * one value per block for the float types, 32 for Q8_0 (see {@link Q8Blocks}). Rows must hold a
 * whole number of blocks.
 */
public enum GgmlType {
  F32(0, 1, 4),
  F16(1, 1, 2),
  Q8_0(8, Q8Blocks.BLOCK, Q8Blocks.BLOCK_BYTES),
  BF16(30, 1, 2);

  private final int id;
  private final int blockSize;
  private final int blockBytes;

  GgmlType(int id, int blockSize, int blockBytes) {
    this.id = id;
    this.blockSize = blockSize;
    this.blockBytes = blockBytes;
  }

  /** ggml's enum value, as stored in a GGUF tensor record. */
  public int id() {
    return id;
  }

  /** Values per block. */
  public int blockSize() {
    return blockSize;
  }

  /** Whether a row of this length can be stored in this type. */
  public boolean fitsRow(long rowLength) {
    return rowLength % blockSize == 0;
  }

  /** Bytes that {@code count} values take (count must be a whole number of blocks). */
  public long byteSize(long count) {
    if (count % blockSize != 0) throw new IllegalArgumentException(count + " values are not whole " + this + " blocks");
    return count / blockSize * blockBytes;
  }

  /** Encodes values[from, from + count) into {@code out} (little-endian), count a whole number of blocks. */
  public void encode(float[] values, int from, int count, ByteBuffer out) {
    switch (this) {
      case F32 -> { for (int i = from; i < from + count; i++) out.putFloat(values[i]); }
      case F16 -> { for (int i = from; i < from + count; i++) out.putShort(HalfFloats.floatToF16(values[i])); }
      case BF16 -> { for (int i = from; i < from + count; i++) out.putShort(HalfFloats.floatToBf16(values[i])); }
      case Q8_0 -> {
        byteSize(count); // checks whole blocks
        for (int b = from; b < from + count; b += Q8Blocks.BLOCK) Q8Blocks.encode(values, b, out);
      }
    }
  }
}
