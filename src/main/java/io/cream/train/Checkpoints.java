package io.cream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The run's checkpoint folders, {@code OUT/checkpoints/step-NNNNNN}: each a complete Hugging Face
 * checkpoint plus {@code optimizer.safetensors} and {@code trainer-state.json}. A folder is
 * written under a temporary name and renamed when complete, so a killed run never leaves a
 * half-written checkpoint that looks valid.
 */
public final class Checkpoints {
  public static final String STATE_FILE = "trainer-state.json";
  private final Path root;

  public Checkpoints(Path out) {
    this.root = out.resolve("checkpoints");
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Path> latest() throws IOException {
    if (!Files.isDirectory(root)) return Optional.empty();
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> p.getFileName().toString().matches("step-\\d{6,}"))
          .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    }
  }

  /** A fresh temporary folder to write a checkpoint into, then {@link #commit}. */
  public Path begin(int step) throws IOException {
    Files.createDirectories(root);
    return Files.createTempDirectory(root, ".tmp-step-" + step + "-");
  }

  /** Renames the finished temporary folder to step-NNNNNN and keeps only the newest {@code keep}. */
  public Path commit(Path tmp, int step, int keep) throws IOException {
    Path dest = root.resolve(String.format("step-%06d", step));
    if (Files.exists(dest)) deleteTree(dest);
    Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE);
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.filter(p -> p.getFileName().toString().matches("step-\\d{6,}")).sorted().forEach(all::add);
    }
    for (int i = 0; i < all.size() - Math.max(1, keep); i++) deleteTree(all.get(i));
    return dest;
  }

  public static void writeState(Path dir, int step, ObjectNode options) throws IOException {
    ObjectNode s = Json.object();
    s.put("step", step);
    s.set("options", options);
    Json.writeAtomically(dir.resolve(STATE_FILE), s);
  }

  public static JsonNode readState(Path dir) {
    return Json.read(dir.resolve(STATE_FILE));
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
