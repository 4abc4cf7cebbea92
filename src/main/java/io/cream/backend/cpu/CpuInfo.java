package io.cream.backend.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the operating system says about the processor (Linux /proc/cpuinfo), for benchmark
 * reports. Fields are "unknown" / 0 where the file is missing or silent.
 *
 * @param model the "model name" line
 * @param mhz the "cpu MHz" line: the nominal clock in a VM, the current one on bare metal
 * @param logicalCpus processors the JVM may use
 * @param avx512 whether the avx512f flag is present
 */
public record CpuInfo(String model, double mhz, int logicalCpus, boolean avx512) {

  public static CpuInfo read() {
    int cpus = Runtime.getRuntime().availableProcessors();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
    } catch (IOException | RuntimeException e) {
      return new CpuInfo("unknown", 0, cpus, false);
    }
    String model = field(lines, "model name");
    String mhz = field(lines, "cpu MHz");
    String flags = " " + field(lines, "flags") + " ";
    double clock;
    try {
      clock = Double.parseDouble(mhz);
    } catch (NumberFormatException e) {
      clock = 0;
    }
    return new CpuInfo(model.isEmpty() ? "unknown" : model, clock, cpus,
        flags.contains(" avx512f "));
  }

  private static String field(List<String> lines, String key) {
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }
}
