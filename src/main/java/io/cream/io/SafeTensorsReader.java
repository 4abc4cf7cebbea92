package io.cream.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads tensors from one safetensors file or a sharded set ({@code model.safetensors.index.json}),
 * memory-mapped: nothing is copied until a tensor is converted. Every header is validated when the
 * reader opens. Closing unmaps the files; tensors obtained earlier must not be used afterwards.
 */
public final class SafeTensorsReader implements AutoCloseable {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";

  private final Path source;
  private final Arena arena;
  private final SortedMap<String, SafeTensor> tensors;
  private final Map<String, String> metadata;

  private SafeTensorsReader(Path source, Arena arena, SortedMap<String, SafeTensor> tensors, Map<String, String> metadata) {
    this.source = source;
    this.arena = arena;
    this.tensors = Collections.unmodifiableSortedMap(tensors);
    this.metadata = metadata;
  }

  /**
   * Opens a {@code .safetensors} file, an index {@code .json}, or a folder holding either {@code
   * model.safetensors.index.json} (preferred) or {@code model.safetensors}.
   */
  public static SafeTensorsReader open(Path path) {
    if (Files.isDirectory(path)) {
      Path index = path.resolve(INDEX_FILE);
      if (Files.isRegularFile(index)) return openIndex(index);
      Path single = path.resolve(SINGLE_FILE);
      if (Files.isRegularFile(single)) return openFile(single);
      String hint = Files.exists(path.resolve("pytorch_model.bin")) || Files.exists(path.resolve("pytorch_model.bin.index.json"))
          ? "; found pytorch_model.bin, but only safetensors is read: convert the checkpoint to safetensors"
          : "; point to a folder holding a Hugging Face safetensors checkpoint";
      throw new UserError("no " + SINGLE_FILE + " or " + INDEX_FILE + " in " + path + hint);
    }
    if (!Files.isRegularFile(path)) throw new UserError("safetensors file not found: " + path);
    return path.getFileName().toString().endsWith(".json") ? openIndex(path) : openFile(path);
  }

  private static SafeTensorsReader openFile(Path file) {
    Arena arena = Arena.ofShared();
    try {
      SortedMap<String, SafeTensor> map = new TreeMap<>();
      SafeTensorsHeader header = mapFile(file, arena, map);
      return new SafeTensorsReader(file, arena, map, header.metadata());
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static SafeTensorsReader openIndex(Path indexFile) {
    Map<String, String> weightMap = readWeightMap(indexFile);
    Map<String, List<String>> byShard = weightMap.entrySet().stream().collect(Collectors.groupingBy(
        Map.Entry::getValue, TreeMap::new, Collectors.mapping(Map.Entry::getKey, Collectors.toList())));
    Path dir = indexFile.toAbsolutePath().getParent();
    Arena arena = Arena.ofShared();
    try {
      SortedMap<String, SafeTensor> all = new TreeMap<>();
      for (var shard : byShard.entrySet()) {
        Path file = resolveShard(indexFile, dir, shard.getKey());
        if (!Files.isRegularFile(file)) {
          throw new UserError(indexFile + ": shard '" + shard.getKey() + "' listed in weight_map does not exist;"
              + " the checkpoint is incomplete, download the missing file");
        }
        SortedMap<String, SafeTensor> inShard = new TreeMap<>();
        mapFile(file, arena, inShard);
        for (String name : shard.getValue()) {
          if (!inShard.containsKey(name)) {
            throw new UserError(indexFile + ": weight_map puts tensor '" + name + "' in " + shard.getKey()
                + ", which does not hold it; the index and shards do not match");
          }
        }
        for (String name : inShard.keySet()) {
          if (!shard.getKey().equals(weightMap.get(name))) {
            throw new UserError(indexFile + ": shard " + shard.getKey() + " holds tensor '" + name
                + "', which weight_map does not assign to it; the index and shards do not match");
          }
        }
        all.putAll(inShard);
      }
      return new SafeTensorsReader(indexFile, arena, all, Map.of());
    } catch (RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  private static Map<String, String> readWeightMap(Path indexFile) {
    JsonNode root = Json.read(indexFile);
    JsonNode wm = root.isObject() ? root.get("weight_map") : null;
    if (wm == null || !wm.isObject()) {
      throw new UserError(indexFile + ": 'weight_map' is missing or not an object; the index file is damaged");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : wm.properties()) {
      JsonNode v = e.getValue();
      String shard = v.isTextual() ? v.textValue() : "";
      if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.equals("..") || shard.equals(".")) {
        throw new UserError(indexFile + ": weight_map entry for '" + e.getKey() + "' must be a file name"
            + " in the same folder, found " + v);
      }
      out.put(e.getKey(), shard);
    }
    return out;
  }

  private static Path resolveShard(Path indexFile, Path dir, String shard) {
    try {
      return dir.resolve(shard);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UserError(indexFile + ": weight_map names an impossible file name '" + shard + "'; the index file is damaged");
    }
  }

  /** Maps one file into the arena, validates its header and adds its tensors to {@code out}. */
  private static SafeTensorsHeader mapFile(Path file, Arena arena, Map<String, SafeTensor> out) {
    MemorySegment whole;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      whole = size == 0 ? MemorySegment.ofArray(new byte[0]) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
    } catch (IOException e) {
      throw new UserError("cannot read safetensors file " + file + ": " + e.getMessage());
    }
    SafeTensorsHeader header = SafeTensorsHeader.parse(file.toString(), whole);
    for (SafeTensorsHeader.Entry e : header.tensors()) {
      MemorySegment slice = whole.asSlice(header.dataStart() + e.begin(), e.end() - e.begin());
      out.put(e.name(), new SafeTensor(e.name(), e.dtype(), e.shape(), slice));
    }
    return header;
  }

  /** All tensor names, sorted. */
  public Set<String> names() {
    return tensors.keySet();
  }

  public boolean contains(String name) {
    return tensors.containsKey(name);
  }

  public Optional<SafeTensor> find(String name) {
    return Optional.ofNullable(tensors.get(name));
  }

  /** The named tensor; a missing name is a UserError listing the nearest available names. */
  public SafeTensor get(String name) {
    SafeTensor t = tensors.get(name);
    if (t == null) {
      throw new UserError("tensor '" + name + "' not found in " + source + " (" + tensors.size()
          + " tensors; nearest: " + nearest(name, 5) + "); the checkpoint does not match the model");
    }
    return t;
  }

  /** The file's {@code __metadata__} (single file), empty for a sharded set. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The file or index this reader opened. */
  public Path source() {
    return source;
  }

  @Override
  public void close() {
    if (arena.scope().isAlive()) arena.close();
  }

  private String nearest(String name, int limit) {
    if (tensors.isEmpty()) return "none";
    return tensors.keySet().stream()
        .sorted(Comparator.comparingInt((String s) -> -commonPrefix(s, name)).thenComparing(s -> s))
        .limit(limit)
        .collect(Collectors.joining(", "));
  }

  private static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length()), i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) i++;
    return i;
  }
}
