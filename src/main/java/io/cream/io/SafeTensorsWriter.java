package io.cream.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.AtomicFiles;
import io.cream.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes safetensors files the way Hugging Face lays them out: tensors in name order, header JSON
 * padded with spaces so the data starts 8-byte aligned, {@code __metadata__ {"format": "pt"}}.
 * Each file goes to a temporary file and is renamed into place. The header is laid out from
 * dtypes and shapes alone; then each tensor's values are read from its source when the writer
 * reaches it ({@link TensorToWrite#later}: downloaded, copied out of host memory), converted and
 * streamed in small chunks, and dropped before the next tensor is read. So a write holds one
 * tensor's values at a time (the largest: a 7B model's embedding, 0.5 GB), not the file's.
 */
public final class SafeTensorsWriter {
  private static final Pattern SHARD_NAME = Pattern.compile("model-\\d{5}-of-\\d{5}\\.safetensors");
  private static final int CHUNK = 1 << 16;

  private SafeTensorsWriter() {}

  /** The file name of shard {@code index} (1-based) of {@code count}. */
  public static String shardName(int index, int count) {
    return String.format("model-%05d-of-%05d.safetensors", index, count);
  }

  /**
   * Writes the tensors into {@code dir}: one {@code model.safetensors}, or, when they exceed
   * {@code shardBytes} (≤ 0: never shard), shards plus {@code model.safetensors.index.json}. Files
   * of the other layout or stale shards left from an earlier write are removed afterwards. Returns
   * the files written, index last.
   */
  public static List<Path> write(Path dir, Map<String, TensorToWrite> tensors, long shardBytes) throws IOException {
    List<SortedMap<String, TensorToWrite>> shards = planShards(new TreeMap<>(tensors), shardBytes);
    Files.createDirectories(dir);
    List<Path> written = new ArrayList<>();
    if (shards.size() == 1) {
      Path file = dir.resolve(SafeTensorsReader.SINGLE_FILE);
      writeFile(file, shards.getFirst());
      written.add(file);
    } else {
      long total = 0;
      SortedMap<String, String> weightMap = new TreeMap<>();
      for (int i = 0; i < shards.size(); i++) {
        String name = shardName(i + 1, shards.size());
        writeFile(dir.resolve(name), shards.get(i));
        written.add(dir.resolve(name));
        for (var e : shards.get(i).entrySet()) {
          total += e.getValue().byteSize();
          weightMap.put(e.getKey(), name);
        }
      }
      ObjectNode index = Json.object();
      index.putObject("metadata").put("total_size", total);
      ObjectNode wm = index.putObject("weight_map");
      weightMap.forEach(wm::put);
      Path indexFile = dir.resolve(SafeTensorsReader.INDEX_FILE);
      Json.writeAtomically(indexFile, index);
      written.add(indexFile);
    }
    removeStale(dir, written);
    return written;
  }

  /**
   * Splits tensors (in name order) into shards: a new shard starts when the next tensor would push
   * the current one past {@code shardBytes}; a tensor larger than the limit gets a shard alone.
   */
  static List<SortedMap<String, TensorToWrite>> planShards(SortedMap<String, TensorToWrite> tensors, long shardBytes) {
    List<SortedMap<String, TensorToWrite>> shards = new ArrayList<>();
    SortedMap<String, TensorToWrite> current = new TreeMap<>();
    long size = 0;
    for (var e : tensors.entrySet()) {
      long bytes = e.getValue().byteSize();
      if (shardBytes > 0 && !current.isEmpty() && size + bytes > shardBytes) {
        shards.add(current);
        current = new TreeMap<>();
        size = 0;
      }
      current.put(e.getKey(), e.getValue());
      size += bytes;
    }
    shards.add(current);
    return shards;
  }

  /** Writes one safetensors file holding the tensors in name order, one tensor's values at a time. */
  public static void writeFile(Path file, Map<String, TensorToWrite> tensors) throws IOException {
    SortedMap<String, TensorToWrite> sorted = new TreeMap<>(tensors);
    byte[] header = header(sorted);
    AtomicFiles.write(file, out -> {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
      out.write(len.array());
      out.write(header);
      ByteBuffer buf = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (TensorToWrite t : sorted.values()) writeData(out, t, buf);
    });
  }

  /** The header JSON in UTF-8, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(SortedMap<String, TensorToWrite> tensors) {
    ObjectNode root = Json.object();
    root.putObject("__metadata__").put("format", "pt");
    long offset = 0;
    for (var e : tensors.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
      }
      TensorToWrite t = e.getValue();
      ObjectNode entry = root.putObject(e.getKey());
      entry.put("dtype", t.dtype().safetensorsName());
      ArrayNode shape = entry.putArray("shape");
      for (long d : t.shape()) shape.add(d);
      entry.putArray("data_offsets").add(offset).add(offset + t.byteSize());
      offset += t.byteSize();
    }
    byte[] json = Json.compact(root).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] out = new byte[padded];
    System.arraycopy(json, 0, out, 0, json.length);
    for (int i = json.length; i < padded; i++) out[i] = ' ';
    return out;
  }

  /** Reads t's values from its source, writes them, and lets them go (the caller keeps no reference). */
  private static void writeData(OutputStream out, TensorToWrite t, ByteBuffer buf) throws IOException {
    float[] data = t.data();
    int size = t.dtype().byteSize();
    for (int off = 0; off < data.length; off += CHUNK) {
      int len = Math.min(CHUNK, data.length - off);
      buf.clear();
      switch (t.dtype()) {
        case F32 -> buf.asFloatBuffer().put(data, off, len);
        case BF16 -> {
          for (int i = 0; i < len; i++) buf.putShort(2 * i, HalfFloats.floatToBf16(data[off + i]));
        }
        case F16 -> {
          for (int i = 0; i < len; i++) buf.putShort(2 * i, HalfFloats.floatToF16(data[off + i]));
        }
      }
      out.write(buf.array(), 0, len * size);
    }
  }

  /** Deletes safetensors files of our naming that the latest write did not produce. */
  private static void removeStale(Path dir, List<Path> written) throws IOException {
    Set<String> keep = new HashSet<>();
    for (Path p : written) keep.add(p.getFileName().toString());
    List<Path> stale = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(p -> {
        String n = p.getFileName().toString();
        boolean ours = n.equals(SafeTensorsReader.SINGLE_FILE) || n.equals(SafeTensorsReader.INDEX_FILE)
            || SHARD_NAME.matcher(n).matches();
        if (ours && !keep.contains(n)) stale.add(p);
      });
    }
    for (Path p : stale) Files.deleteIfExists(p);
  }
}
