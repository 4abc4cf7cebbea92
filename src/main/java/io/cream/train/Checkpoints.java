package io.cream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The run's checkpoint folders, {@code OUT/checkpoints/step-NNNNNN}: each a complete Hugging Face
 * checkpoint plus {@code optimizer.safetensors} and {@code trainer-state.json}. A folder is
 * written under a temporary name and renamed when complete, so a killed run never leaves a
 * half-written checkpoint that looks valid.
 */
public final class Checkpoints {
  public static final String STATE_FILE = "trainer-state.json";
  /** The folders {@link #begin} makes: {@code .tmp-step-N-DIGITS} (a leftover when no save runs). */
  private static final Pattern TEMP = Pattern.compile("\\.tmp-step-\\d+-\\d+");
  private static final Pattern STEP = Pattern.compile("step-\\d{6,}");
  private final Path root;

  public Checkpoints(Path out) {
    this.root = out.resolve("checkpoints");
  }

  /** The newest complete checkpoint, if any. */
  public Optional<Path> latest() throws IOException {
    if (!Files.isDirectory(root)) return Optional.empty();
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> isStep(p.getFileName().toString()))
          .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
          .max(Comparator.comparing(p -> p.getFileName().toString()));
    }
  }

  /** The checkpoints folder, OUT/checkpoints. */
  public Path root() {
    return root;
  }

  /** Whether a name in the checkpoints folder is a save's temporary folder. */
  static boolean isTemp(String name) {
    return TEMP.matcher(name).matches();
  }

  /** Whether a name in the checkpoints folder is a complete checkpoint's folder. */
  static boolean isStep(String name) {
    return STEP.matcher(name).matches();
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
      s.filter(p -> isStep(p.getFileName().toString())).sorted().forEach(all::add);
    }
    for (int i = 0; i < all.size() - Math.max(1, keep); i++) deleteTree(all.get(i));
    return dest;
  }

  public static void writeState(Path dir, int step, double loss, ObjectNode options) throws IOException {
    ObjectNode s = Json.object();
    s.put("step", step);
    if (Double.isFinite(loss)) s.put("loss", loss);
    s.set("options", options);
    Json.writeAtomically(dir.resolve(STATE_FILE), s);
  }

  public static JsonNode readState(Path dir) {
    return Json.read(dir.resolve(STATE_FILE));
  }

  /**
   * The step a checkpoint folder holds, checked: its trainer-state.json must name the folder's own
   * step, between 1 and {@code steps} (the run's --steps); anything else is a damaged or hand-edited
   * checkpoint, refused with one line.
   */
  public static int step(Path dir, int steps) {
    Path file = dir.resolve(STATE_FILE);
    JsonNode n = readState(dir).get("step");
    int named = Integer.parseInt(dir.getFileName().toString().substring("step-".length()));
    if (n == null || !n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() != named) {
      throw new UserError(file + " says step " + n + " but its folder holds step " + named
          + ": the checkpoint is damaged or was edited; remove " + dir + " to resume from the one before");
    }
    if (named > steps) {
      throw new UserError(dir + " is step " + named + ", beyond --steps " + steps
          + ": resume with the run's own --steps (see " + RunSettings.FILE + ")");
    }
    return named;
  }

  /** The loss of the step a checkpoint holds, NaN when not recorded. */
  static double loss(Path dir) {
    return readState(dir).path("loss").asDouble(Double.NaN);
  }

  /** Deletes a folder of ours, ignoring failures (used while another error is being reported). */
  static void deleteQuietly(Path dir) {
    try {
      deleteTree(dir);
    } catch (IOException ignored) {
      // the next start removes it (Leftovers)
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
