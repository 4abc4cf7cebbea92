package io.cream.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.model.LlamaConfig;
import io.cream.util.AtomicFiles;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face checkpoint folder: {@code config.json}, safetensors weights (single or sharded),
 * and optionally the tokenizer files. {@link #write} leaves {@code config.json} for last, so a
 * folder with a config.json is complete.
 */
public final class HfCheckpoint implements AutoCloseable {
  public static final String CONFIG_FILE = "config.json";
  public static final String GENERATION_CONFIG_FILE = "generation_config.json";
  /** Tokenizer files copied along with a checkpoint, when present. */
  public static final List<String> TOKENIZER_FILES =
      List.of(TextTokenizer.TOKENIZER_FILE, TextTokenizer.CONFIG_FILE, "special_tokens_map.json", "chat_template.jinja");

  private final Path dir;
  private final LlamaConfig config;
  private final SafeTensorsReader tensors;

  private HfCheckpoint(Path dir, LlamaConfig config, SafeTensorsReader tensors) {
    this.dir = dir;
    this.config = config;
    this.tensors = tensors;
  }

  /** Opens a checkpoint folder; what is missing is named in the UserError. */
  public static HfCheckpoint open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new UserError("checkpoint folder not found: " + dir + " (give a folder holding config.json and *.safetensors)");
    }
    Path configFile = dir.resolve(CONFIG_FILE);
    if (!Files.isRegularFile(configFile)) {
      throw new UserError(dir + " has no " + CONFIG_FILE + "; a Hugging Face checkpoint folder needs config.json"
          + " and model.safetensors (or model.safetensors.index.json with its shards)");
    }
    LlamaConfig config = LlamaConfig.read(configFile);
    return new HfCheckpoint(dir, config, SafeTensorsReader.open(dir));
  }

  public Path dir() {
    return dir;
  }

  public LlamaConfig config() {
    return config;
  }

  /** The memory-mapped weights; valid until this checkpoint is closed. */
  public SafeTensorsReader tensors() {
    return tensors;
  }

  /** The folder's tokenizer.json, if it has one. */
  public Optional<Path> tokenizerFile() {
    Path p = dir.resolve(TextTokenizer.TOKENIZER_FILE);
    return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
  }

  /** Loads the folder's tokenizer; a UserError when it has none. */
  public TextTokenizer loadTokenizer() {
    return TextTokenizer.load(tokenizerFile().orElseThrow(() -> new UserError(
        dir + " has no tokenizer.json; copy the base model's tokenizer files into it or pass a tokenizer")));
  }

  @Override
  public void close() {
    tensors.close();
  }

  /**
   * Writes a checkpoint folder: weights (sharded above {@code shardBytes}; ≤ 0 never shards), the
   * tokenizer files from {@code tokenizerSource} (a tokenizer.json file, whose tokenizer_config.json
   * and special_tokens_map.json siblings come along, or a folder holding them; null for none),
   * generation_config.json with bos/eos, and config.json last. The config must be a valid {@link
   * LlamaConfig}. An existing config.json is removed first, so an interrupted write leaves no
   * folder that looks complete. Tensors given as {@link TensorToWrite#later} are read one at a
   * time, as the writer reaches them.
   */
  public static void write(Path dir, ObjectNode config, Map<String, TensorToWrite> tensors, Path tokenizerSource,
      long shardBytes) throws IOException {
    LlamaConfig typed = LlamaConfig.fromJson(config);
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(CONFIG_FILE));
    SafeTensorsWriter.write(dir, tensors, shardBytes);
    if (tokenizerSource != null) copyTokenizer(tokenizerSource, dir);
    Json.writeAtomically(dir.resolve(GENERATION_CONFIG_FILE), generationConfig(typed));
    Json.writeAtomically(dir.resolve(CONFIG_FILE), config);
  }

  private static ObjectNode generationConfig(LlamaConfig c) {
    ObjectNode g = Json.object();
    if (c.bosTokenId() >= 0) g.put("bos_token_id", c.bosTokenId());
    if (c.eosTokenIds().size() == 1) {
      g.put("eos_token_id", c.eosTokenIds().getFirst());
    } else if (!c.eosTokenIds().isEmpty()) {
      c.eosTokenIds().forEach(g.putArray("eos_token_id")::add);
    }
    return g;
  }

  private static void copyTokenizer(Path source, Path dir) throws IOException {
    Path folder;
    if (Files.isDirectory(source)) {
      folder = source;
      UserError.require(Files.isRegularFile(folder.resolve(TextTokenizer.TOKENIZER_FILE)),
          "tokenizer folder " + source + " has no tokenizer.json; give the folder of the base model's tokenizer");
    } else {
      UserError.require(Files.isRegularFile(source), "tokenizer file not found: " + source);
      folder = source.toAbsolutePath().getParent();
      copy(source, dir.resolve(TextTokenizer.TOKENIZER_FILE));
    }
    for (String name : TOKENIZER_FILES) {
      Path from = folder.resolve(name);
      boolean alreadyCopied = !Files.isDirectory(source) && name.equals(TextTokenizer.TOKENIZER_FILE);
      if (!alreadyCopied && Files.isRegularFile(from)) copy(from, dir.resolve(name));
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    if (Files.exists(to) && Files.isSameFile(from, to)) return;
    AtomicFiles.write(to, out -> Files.copy(from, out));
  }
}
