package io.cream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.AtomicFiles;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training log: one JSON object per line ({@code step, loss, lr, grad_norm, tokens_per_s} and
 * any extra fields), each line flushed as soon as it is written so a crash loses nothing logged.
 *
 * <p>Opening at a start step keeps only the lines of earlier steps: a run resumed from a checkpoint
 * at step S drops what the interrupted run logged at S and later (it will be logged again), so the
 * file ends up as an uninterrupted run would have written it. A half-written last line (a crash
 * mid-write) is dropped too. Non-finite numbers are written as the JSON strings "NaN"/"Infinity".
 */
public final class MetricsLog implements AutoCloseable {
  private static final Set<String> STANDARD = Set.of("step", "loss", "lr", "grad_norm", "tokens_per_s");

  private final Path file;
  private final BufferedWriter out;
  private int lastStep;

  private MetricsLog(Path file, BufferedWriter out, int lastStep) {
    this.file = file;
    this.out = out;
    this.lastStep = lastStep;
  }

  /**
   * Opens the log for a run that starts (or resumes) at {@code startStep}: lines with step ≥
   * startStep are removed first (all of them for a fresh run at step 0).
   */
  public static MetricsLog open(Path file, int startStep) throws IOException {
    if (startStep < 0) throw new IllegalArgumentException("startStep " + startStep + " < 0");
    List<String> kept = new ArrayList<>();
    int lastKept = -1;
    if (Files.exists(file)) {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        if (line.isBlank()) continue;
        boolean isLast = i == lines.size() - 1;
        Integer step = stepOf(line);
        if (step == null) {
          if (isLast) continue; // torn write of the interrupted run
          throw new UserError(
              "metrics log " + file + " line " + (i + 1) + " is not a JSON object with a step: "
                  + "repair or delete that line (or the whole file) and resume again");
        }
        if (step < startStep) {
          kept.add(line);
          lastKept = Math.max(lastKept, step);
        }
      }
      String text = kept.isEmpty() ? "" : String.join("\n", kept) + "\n";
      AtomicFiles.writeString(file, text);
    } else {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
    }
    BufferedWriter out =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    return new MetricsLog(file, out, lastKept);
  }

  public Path file() {
    return file;
  }

  /** Appends one step's metrics. */
  public void log(int step, double loss, double lr, double gradNorm, double tokensPerS) {
    log(step, loss, lr, gradNorm, tokensPerS, Map.of());
  }

  /** Appends one step's metrics plus extra fields (numbers, strings, booleans, lists, maps). */
  public synchronized void log(
      int step, double loss, double lr, double gradNorm, double tokensPerS, Map<String, ?> extra) {
    ObjectNode line = Json.object();
    line.put("step", step);
    line.put("loss", loss);
    line.put("lr", lr);
    line.put("grad_norm", gradNorm);
    line.put("tokens_per_s", tokensPerS);
    for (Map.Entry<String, ?> e : extra.entrySet()) {
      if (STANDARD.contains(e.getKey())) {
        throw new IllegalArgumentException("extra field '" + e.getKey() + "' clashes with a standard one");
      }
      line.set(e.getKey(), Json.MAPPER.valueToTree(e.getValue()));
    }
    write(line, step);
  }

  /** Appends a line of any fields; it must carry an integer {@code step}. */
  public synchronized void log(ObjectNode line) {
    JsonNode step = line.get("step");
    if (step == null || !step.canConvertToInt() || !step.isIntegralNumber()) {
      throw new IllegalArgumentException("a metrics line needs an integer 'step': " + line);
    }
    write(line, step.intValue());
  }

  /** The largest step logged so far, or −1 for an empty log. */
  public synchronized int lastStep() {
    return lastStep;
  }

  private void write(ObjectNode line, int step) {
    try {
      out.write(Json.compact(line));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write metrics log " + file, e);
    }
    lastStep = Math.max(lastStep, step);
  }

  /** Reads the lines of a metrics log (for reports and tests); a torn last line is skipped. */
  public static List<JsonNode> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<JsonNode> rows = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) continue;
      try {
        rows.add(Json.MAPPER.readTree(lines.get(i)));
      } catch (IOException e) {
        if (i == lines.size() - 1) continue;
        throw new UserError("metrics log " + file + " line " + (i + 1) + " is not valid JSON: repair or delete it");
      }
    }
    return rows;
  }

  @Override
  public synchronized void close() throws IOException {
    out.close();
  }

  private static Integer stepOf(String line) {
    try {
      JsonNode node = Json.MAPPER.readTree(line);
      JsonNode step = node == null ? null : node.get("step");
      if (step == null || !step.isIntegralNumber() || !step.canConvertToInt()) return null;
      return step.intValue();
    } catch (IOException e) {
      return null;
    }
  }
}
