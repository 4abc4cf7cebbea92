package io.cream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.data.DocumentFile;
import io.cream.data.DocumentSource;
import io.cream.io.HfCheckpoint;
import io.cream.rope.RopeType;
import io.cream.util.Bytes;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The settings that decide a training run's result, written to {@code OUT/run-settings.json} when
 * the run starts; {@code --resume} refuses, naming each one, a command line that changes any. Base
 * model and data are compared by path and by a cheap fingerprint of their files (names, sizes and
 * modification times; config.json and tokenizer.json by content).
 *
 * <p>Free to change on resume, because they do not change the trained weights: --save-every,
 * --keep-checkpoints, --save-dtype (the final file's dtype only), --recompute (the same numbers,
 * less memory), --offload (the same steps with the optimizer state in host memory), --device and
 * --devices as long as --grad-accum × GPUs stays the same.
 */
final class RunSettings {
  static final String FILE = "run-settings.json";
  private final Map<String, String> values;

  private RunSettings(Map<String, String> values) {
    this.values = values;
  }

  /** The settings of a run about to start; {@code tokenizerSha} is the tokenizer file's sha256. */
  static RunSettings of(TrainOptions o, int world, String precision, String tokenizerSha,
      DocumentSource data) throws IOException {
    Map<String, String> v = new LinkedHashMap<>();
    if (o.model() != null) {
      v.put("--model", o.model().toAbsolutePath().normalize().toString());
      v.put("--model files", fingerprint(modelFiles(o.model()), o.model()));
    } else {
      v.put("--init", o.init().toAbsolutePath().normalize().toString());
      v.put("--init (sha256)", sha256(o.init()).substring(0, 16));
    }
    v.put("tokenizer (sha256)", tokenizerSha.substring(0, 16));
    v.put("--data", o.data().toAbsolutePath().normalize().toString());
    v.put("--data files", fingerprint(data.files().stream().map(DocumentFile::path).toList(), data.root()));
    v.put("--window", "" + o.window());
    v.put("--factor", "" + o.factor());
    v.put("--method", o.method().name().toLowerCase());
    v.put("--rope", o.rope() == RopeType.DEFAULT ? "none" : o.rope().id());
    v.put("--sigma", "" + o.sigma());
    v.put("--branch-mode", o.branchMode().name().toLowerCase().replace('_', '-'));
    v.put("--steps", "" + o.steps());
    v.put("--batch", "" + o.batch());
    v.put("--grad-accum × GPUs", "" + (long) o.gradAccum() * world);
    v.put("--lr", "" + o.lr());
    v.put("--schedule", o.decay().name().toLowerCase());
    v.put("--warmup", "" + o.warmup());
    v.put("--weight-decay", "" + o.weightDecay());
    v.put("--beta1", "" + o.beta1());
    v.put("--beta2", "" + o.beta2());
    v.put("--adam-eps", "" + o.eps());
    v.put("--clip", "" + o.clip());
    v.put("--seed", "" + o.seed());
    v.put("--precision", precision);
    return new RunSettings(v);
  }

  void save(Path out) throws IOException {
    ObjectNode n = Json.object();
    values.forEach(n::put);
    Json.writeAtomically(out.resolve(FILE), n);
  }

  /** The settings a run in {@code out} started with; empty for runs of older cream versions. */
  static Optional<RunSettings> read(Path out) {
    Path file = out.resolve(FILE);
    if (!Files.isRegularFile(file)) return Optional.empty();
    JsonNode n = Json.read(file);
    UserError.require(n.isObject(), file + " is not a JSON object; restore it or start a new --out");
    Map<String, String> v = new LinkedHashMap<>();
    n.properties().forEach(e -> v.put(e.getKey(), e.getValue().asText()));
    return Optional.of(new RunSettings(v));
  }

  /** "name old → new" for each setting that differs, in a fixed order. */
  List<String> changesTo(RunSettings now) {
    List<String> out = new ArrayList<>();
    for (var e : now.values.entrySet()) {
      String old = values.getOrDefault(e.getKey(), "(not set)");
      if (!old.equals(e.getValue())) out.add(e.getKey() + " " + old + " → " + e.getValue());
    }
    for (String k : values.keySet()) {
      if (!now.values.containsKey(k)) out.add(k + " " + values.get(k) + " → (not set)");
    }
    return out;
  }

  /** Refuses, listing every change, to resume the run in {@code out} with other settings. */
  void requireResumableWith(RunSettings now, Path out) {
    List<String> changes = changesTo(now);
    if (!changes.isEmpty()) {
      throw new UserError("--resume would continue the run in " + out + " with other settings ("
          + String.join("; ", changes) + "); repeat the run's own settings (" + out.resolve(FILE)
          + "), or start a new --out");
    }
  }

  /** The files of a checkpoint folder that decide its weights. */
  private static List<Path> modelFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) return List.of(dir);
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> {
        String n = p.getFileName().toString();
        return n.equals(HfCheckpoint.CONFIG_FILE) || n.endsWith(".safetensors") || n.endsWith(".safetensors.index.json");
      }).sorted().toList();
    }
  }

  /** "N files, SIZE, #hash" over names, sizes and modification times. */
  static String fingerprint(List<Path> files, Path root) throws IOException {
    StringBuilder text = new StringBuilder();
    long bytes = 0;
    for (Path f : files) {
      long size = Files.size(f);
      bytes += size;
      String name = root.equals(f) ? f.getFileName().toString() : root.relativize(f).toString();
      text.append(name).append('\t').append(size).append('\t')
          .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
    }
    String hash = sha256(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    return files.size() + " file(s), " + Bytes.format(bytes) + ", #" + hash;
  }

  static String sha256(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      MessageDigest md = digest();
      byte[] buf = new byte[1 << 16];
      for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
      return HexFormat.of().formatHex(md.digest());
    }
  }

  private static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
