package io.cream.util;

import java.nio.file.Path;

/** Where cream keeps downloaded and derived files: $CREAM_CACHE, else ~/.cache/cream. */
public final class CreamCache {
  private CreamCache() {}

  public static Path root() {
    String env = System.getenv("CREAM_CACHE");
    if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath().normalize();
    return Path.of(System.getProperty("user.home"), ".cache", "cream");
  }

  /** A folder under the cache root, e.g. {@code dir("tokens")}. */
  public static Path dir(String first, String... more) {
    return root().resolve(Path.of(first, more));
  }
}
