package io.cream.data;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The on-disk layout of a token cache, one file, all little-endian:
 *
 * <pre>
 *   tokens   int32 × T                     (offset 0, so the mapping is int-aligned)
 *   index    int64 × (D+1) document starts, int32 × (D+1) where each document's target spans
 *            start in the span table (in ints), int32 × S the span table (pairs of token
 *            offsets, see TokenizedCorpus.targetSpans; none for plain text), then
 *            D × (int32 length + UTF-8 bytes) ids
 *   footer   "CREAMTOK" · int32 version · int32 D · int64 T · int64 index offset ·
 *            32 bytes fingerprint (sha256 of what was tokenized) · int64 CRC32C of tokens + index
 * </pre>
 *
 * The footer is written last, so a file cut short has none; the CRC catches flipped bits. A file
 * that fails any check is reported as {@link Invalid}, never trusted.
 */
final class TokenCacheFile {
  static final int VERSION = 3;
  private static final byte[] MAGIC = "CREAMTOK".getBytes(StandardCharsets.US_ASCII);
  static final int FOOTER_BYTES = 8 + 4 + 4 + 8 + 8 + 32 + 8;
  private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private TokenCacheFile() {}

  /** Why a cache file cannot be used. */
  static final class Invalid extends Exception {
    Invalid(String reason) {
      super(reason);
    }
  }

  /** Streams documents' tokens into an output stream, then the index and footer. */
  static final class Writer {
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private final List<String> ids = new ArrayList<>();
    private long[] starts = new long[1024];
    private int[] spanStarts = new int[1024];
    private final java.io.ByteArrayOutputStream spanTable = new java.io.ByteArrayOutputStream();
    private int spanInts;
    private long total;

    Writer(OutputStream out) {
      this.out = out;
    }

    void add(String id, int[] tokens, int[] targetSpans) throws IOException {
      if (ids.size() == Integer.MAX_VALUE - 1) throw new IOException("more than 2^31 documents");
      TargetSpans.check(targetSpans, tokens.length, id);
      if (ids.size() + 1 >= starts.length) {
        starts = java.util.Arrays.copyOf(starts, starts.length * 2);
        spanStarts = java.util.Arrays.copyOf(spanStarts, spanStarts.length * 2);
      }
      starts[ids.size()] = total;
      spanStarts[ids.size()] = spanInts;
      ByteBuffer s = ByteBuffer.allocate(targetSpans.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      s.asIntBuffer().put(targetSpans);
      spanTable.write(s.array());
      spanInts = Math.addExact(spanInts, targetSpans.length);
      ids.add(id);
      ByteBuffer b = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asIntBuffer().put(tokens);
      emit(b.array());
      total += tokens.length;
    }

    long totalTokens() {
      return total;
    }

    int documentCount() {
      return ids.size();
    }

    /** Writes the index and the footer; the stream is left open. */
    void finish(byte[] fingerprint) throws IOException {
      int n = ids.size();
      starts[n] = total;
      ByteBuffer index = ByteBuffer.allocate((n + 1) * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i <= n; i++) index.putLong(starts[i]);
      emit(index.array());
      spanStarts[n] = spanInts;
      ByteBuffer spanIndex = ByteBuffer.allocate((n + 1) * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i <= n; i++) spanIndex.putInt(spanStarts[i]);
      emit(spanIndex.array());
      emit(spanTable.toByteArray());
      for (String id : ids) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        emit(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length).array());
        emit(utf8);
      }
      ByteBuffer footer = ByteBuffer.allocate(FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      footer.put(MAGIC).putInt(VERSION).putInt(n).putLong(total).putLong(total * 4);
      footer.put(fingerprint).putLong(crc.getValue());
      out.write(footer.array());
    }

    private void emit(byte[] bytes) throws IOException {
      crc.update(bytes);
      out.write(bytes);
    }
  }

  /** Maps and checks a cache file made from {@code expectedFingerprint}. */
  static MappedCorpus open(Path file, byte[] expectedFingerprint) throws Invalid, IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < FOOTER_BYTES) throw new Invalid("shorter than its footer");
      MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      MappedCorpus corpus = check(all, size, expectedFingerprint, arena);
      return corpus;
    } catch (Invalid | IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static MappedCorpus check(MemorySegment all, long size, byte[] expectedFingerprint, Arena arena)
      throws Invalid {
    long f = size - FOOTER_BYTES;
    byte[] magic = all.asSlice(f, 8).toArray(ValueLayout.JAVA_BYTE);
    if (!java.util.Arrays.equals(magic, MAGIC)) throw new Invalid("no footer (written incompletely?)");
    int version = all.get(INT_LE, f + 8);
    if (version != VERSION) throw new Invalid("format version " + version + ", expected " + VERSION);
    int n = all.get(INT_LE, f + 12);
    long total = all.get(LONG_LE, f + 16);
    long indexOffset = all.get(LONG_LE, f + 24);
    byte[] fingerprint = all.asSlice(f + 32, 32).toArray(ValueLayout.JAVA_BYTE);
    long storedCrc = all.get(LONG_LE, f + 64);
    if (n < 0 || total < 0 || indexOffset != total * 4 || indexOffset + (n + 1L) * 12 > f) {
      throw new Invalid("inconsistent footer");
    }
    if (!java.util.Arrays.equals(fingerprint, expectedFingerprint)) {
      throw new Invalid("made from other documents or another tokenizer (fingerprint "
          + HexFormat.of().formatHex(fingerprint, 0, 8) + "…, expected "
          + HexFormat.of().formatHex(expectedFingerprint, 0, 8) + "…)");
    }
    if (crc32c(all, f) != storedCrc) throw new Invalid("checksum mismatch (corrupt)");

    long[] starts = new long[n + 1];
    MemorySegment.copy(all, LONG_LE, indexOffset, starts, 0, n + 1);
    if (starts[0] != 0 || starts[n] != total) throw new Invalid("index does not cover the tokens");
    for (int i = 0; i < n; i++) {
      if (starts[i + 1] < starts[i] || starts[i + 1] - starts[i] > Integer.MAX_VALUE) {
        throw new Invalid("index out of order at document " + i);
      }
    }
    int[] spanStarts = new int[n + 1];
    long spanIndexOffset = indexOffset + (n + 1L) * 8;
    MemorySegment.copy(all, INT_LE, spanIndexOffset, spanStarts, 0, n + 1);
    long spanTableOffset = spanIndexOffset + (n + 1L) * 4;
    if (spanStarts[0] != 0 || spanStarts[n] < 0 || spanTableOffset + 4L * spanStarts[n] > f) {
      throw new Invalid("span index does not fit the file");
    }
    int[] spanTable = new int[spanStarts[n]];
    MemorySegment.copy(all, INT_LE, spanTableOffset, spanTable, 0, spanTable.length);
    int[][] spans = new int[n][];
    for (int i = 0; i < n; i++) {
      if (spanStarts[i + 1] < spanStarts[i]) throw new Invalid("span index out of order at document " + i);
      spans[i] = java.util.Arrays.copyOfRange(spanTable, spanStarts[i], spanStarts[i + 1]);
      try {
        TargetSpans.check(spans[i], (int) (starts[i + 1] - starts[i]), "document " + i);
      } catch (IllegalArgumentException e) {
        throw new Invalid(e.getMessage());
      }
    }
    String[] ids = new String[n];
    long p = spanTableOffset + 4L * spanTable.length;
    for (int i = 0; i < n; i++) {
      if (p + 4 > f) throw new Invalid("ids run past the footer");
      int len = all.get(INT_LE, p);
      if (len < 0 || p + 4 + len > f) throw new Invalid("ids run past the footer");
      ids[i] = new String(all.asSlice(p + 4, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
      p += 4 + len;
    }
    if (p != f) throw new Invalid("trailing bytes before the footer");
    return new MappedCorpus(arena, all.asSlice(0, indexOffset), starts, spans, ids);
  }

  /** CRC32C of the first {@code length} bytes, in slices (a ByteBuffer holds at most 2 GiB). */
  private static long crc32c(MemorySegment all, long length) {
    CRC32C crc = new CRC32C();
    long slice = 1L << 30;
    for (long at = 0; at < length; at += slice) {
      crc.update(all.asSlice(at, Math.min(slice, length - at)).asByteBuffer());
    }
    return crc.getValue();
  }

  /** The mapped tokens with the index read into arrays. */
  static final class MappedCorpus implements TokenizedCorpus {
    private final Arena arena;
    private final MemorySegment tokens;
    private final long[] starts;
    private final int[][] spans;
    private final String[] ids;

    MappedCorpus(Arena arena, MemorySegment tokens, long[] starts, int[][] spans, String[] ids) {
      this.arena = arena;
      this.tokens = tokens;
      this.starts = starts;
      this.spans = spans;
      this.ids = ids;
    }

    @Override
    public int documentCount() {
      return ids.length;
    }

    @Override
    public int length(int doc) {
      return (int) (starts[doc + 1] - starts[doc]);
    }

    @Override
    public int[] targetSpans(int doc) {
      return spans[doc].clone();
    }

    @Override
    public boolean masked(int doc) {
      return spans[doc].length > 0;
    }

    @Override
    public void copy(int doc, int from, int[] dst, int dstOff, int len) {
      java.util.Objects.checkFromIndexSize(from, len, length(doc));
      MemorySegment.copy(tokens, INT_LE, (starts[doc] + from) * 4, dst, dstOff, len);
    }

    @Override
    public long start(int doc) {
      java.util.Objects.checkIndex(doc, ids.length);
      return starts[doc];
    }

    @Override
    public long totalTokens() {
      return starts[ids.length];
    }

    @Override
    public String id(int doc) {
      return ids[doc];
    }

    @Override
    public synchronized void close() {
      if (arena.scope().isAlive()) arena.close();
    }
  }
}
