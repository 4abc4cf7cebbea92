package io.cream.backend.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The on-disk cache of compiled kernels: NVRTC takes about a second per file, so images are kept
 * in {@code $CREAM_CACHE/cubin} (default {@code ~/.cache/cream/cubin}) under a key made of the
 * source text, the target architecture, the NVRTC version and the options. Any change to one of
 * them is a new key, so a stale image is never loaded. A cache that cannot be written (a
 * read-only home) is skipped silently: the kernel is then compiled in every process.
 */
final class KernelCache {
  static final String CACHE_VARIABLE = "CREAM_CACHE";

  private final Path directory;

  KernelCache(Path directory) {
    this.directory = directory;
  }

  /** The cache folder for an environment and home folder. */
  static Path directory(Map<String, String> env, String userHome) {
    String root = env.get(CACHE_VARIABLE);
    Path base = root != null && !root.isBlank()
        ? Path.of(root.trim()) : Path.of(userHome, ".cache", "cream");
    return base.resolve("cubin");
  }

  /** A hex SHA-256 over every input that changes the compiled image. */
  static String key(String source, String arch, String nvrtcVersion, List<String> options) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : List.of(source, arch, nvrtcVersion, String.join(" ", options))) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
  }

  /** The file an image with this name and key lives in. */
  Path file(String name, String arch, String key) {
    String ext = arch.startsWith("sm_") ? ".cubin" : ".ptx";
    return directory.resolve(name + "-" + arch + "-" + key + ext);
  }

  /** The cached image, or compile() stored and returned. */
  byte[] load(String name, String arch, String key, Supplier<byte[]> compile) {
    Path file = file(name, arch, key);
    try {
      if (Files.isRegularFile(file) && Files.size(file) > 0) return Files.readAllBytes(file);
    } catch (IOException e) {
      // unreadable: compile below and try to replace it
    }
    byte[] image = compile.get();
    try {
      io.cream.util.AtomicFiles.write(file, out -> out.write(image));
    } catch (IOException | RuntimeException e) {
      // a cache we cannot write only costs compile time
    }
    return image;
  }
}
