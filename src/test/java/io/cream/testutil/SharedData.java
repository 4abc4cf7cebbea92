package io.cream.testutil;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared development data (corpus and tokenizer fixtures) that some tests read. */
public final class SharedData {
  private SharedData() {}

  /**
   * The shared data folder: {@code ../shared/data}, then {@code ../../shared/data} (relative to the
   * working directory), then the environment variable CREAM_SHARED_DATA. Fails when none exists.
   */
  public static Path dir() {
    for (String candidate : new String[] {"../shared/data", "../../shared/data"}) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) return p;
    }
    String env = System.getenv("CREAM_SHARED_DATA");
    if (env != null && !env.isBlank() && Files.isDirectory(Path.of(env))) {
      return Path.of(env).toAbsolutePath().normalize();
    }
    throw new IllegalStateException(
        "shared data folder not found: looked at ../shared/data and ../../shared/data from "
            + Path.of("").toAbsolutePath()
            + " and at $CREAM_SHARED_DATA ("
            + env
            + "); set CREAM_SHARED_DATA to the folder holding corpus/ and tokenizers/");
  }
}
