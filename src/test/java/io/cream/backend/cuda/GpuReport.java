package io.cream.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Records each CUDA-vs-CPU comparison (op, relative error, tolerance) so scripts/gpu-check.sh can
 * print them as a table: one tab-separated line per comparison, appended to the file named by
 * CREAM_GPU_REPORT (nothing is written when it is unset).
 */
final class GpuReport {
  private GpuReport() {}

  static synchronized void record(String what, double relErr, double tol) {
    String file = System.getenv("CREAM_GPU_REPORT");
    if (file == null || file.isBlank()) return;
    String line = String.format(Locale.ROOT, "%s\t%.3e\t%.0e\t%s%n", what, relErr, tol,
        relErr <= tol ? "ok" : "FAIL");
    try {
      Files.writeString(Path.of(file), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("cannot append to " + file + ": " + e.getMessage());
    }
  }
}
