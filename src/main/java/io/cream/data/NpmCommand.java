package io.cream.data;

import io.cream.util.UserError;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Runs {@code npm pack NAME@VERSION}: npm downloads the tarball from whatever registry it is set up for. */
final class NpmCommand implements NpmFetch.Packer {
  private static final long TIMEOUT_MINUTES = 10;

  private final Path npm;

  NpmCommand(Path npm) {
    this.npm = npm;
  }

  /** npm found on the search path {@code pathEnv}; else a UserError telling how to do without. */
  static NpmCommand fromPath(String pathEnv, Path targetDir) {
    return find("npm", pathEnv)
        .map(NpmCommand::new)
        .orElseThrow(() -> new UserError(
            "npm not found: install Node.js/npm (apt-get install npm) or place the files yourself in " + targetDir));
  }

  static Optional<Path> find(String program, String pathEnv) {
    if (pathEnv == null) return Optional.empty();
    for (String entry : pathEnv.split(File.pathSeparator)) {
      if (entry.isEmpty()) continue;
      Path candidate = Path.of(entry, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
    }
    return Optional.empty();
  }

  @Override
  public Path pack(String packageSpec, Path workDir) throws IOException {
    Path log = workDir.resolve("npm-output.txt");
    ProcessBuilder pb = new ProcessBuilder(List.of(npm.toString(), "pack", "--loglevel=error", packageSpec))
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    pb.environment().put("npm_config_update_notifier", "false");
    pb.environment().put("npm_config_fund", "false");
    pb.environment().put("npm_config_audit", "false");
    Process p = pb.start();
    try {
      if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException("npm pack " + packageSpec + " did not finish in " + TIMEOUT_MINUTES + " minutes");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running npm pack " + packageSpec, e);
    }
    String output = Files.readString(log, StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0) {
      throw new IOException("npm pack " + packageSpec + " failed (exit " + p.exitValue() + "): " + lastLines(output)
          + "; check the network and npm's registry setting");
    }
    try (var files = Files.list(workDir)) {
      List<Path> tarballs = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).toList();
      if (tarballs.size() != 1) {
        throw new IOException("npm pack " + packageSpec + " left " + tarballs.size() + " tarballs, expected 1: " + lastLines(output));
      }
      return tarballs.get(0);
    }
  }

  private static String lastLines(String output) {
    String[] lines = output.split("\n");
    int from = Math.max(0, lines.length - 3);
    return String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }
}
