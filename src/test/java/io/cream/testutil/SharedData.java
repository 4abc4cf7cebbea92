package io.cream.testutil;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the shared test data ({@code shared/data}, kept beside the repository checkout): tries
 * {@code ../shared/data}, then {@code ../../shared/data}, then the environment variable
 * CREAM_SHARED_DATA. CI has the data, so a missing folder fails the test instead of skipping it.
 */
public final class SharedData {
  private SharedData() {}

  /** The shared data folder (same as {@link #root()}). */
  public static Path dir() {
    return root();
  }

  /** The shared data folder. */
  public static Path root() {
    List<Path> tried = new ArrayList<>();
    for (String candidate : new String[] {"../shared/data", "../../shared/data"}) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) return p;
      tried.add(p);
    }
    String env = System.getenv("CREAM_SHARED_DATA");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env).toAbsolutePath().normalize();
      if (Files.isDirectory(p)) return p;
      tried.add(p);
    }
    return fail("shared test data not found (tried " + tried + " and $CREAM_SHARED_DATA);"
        + " check out shared/ beside the repository or set CREAM_SHARED_DATA to its data folder");
  }

  /** A file or folder under the shared data folder; fails the test if it does not exist. */
  public static Path path(String relative) {
    Path p = root().resolve(relative);
    if (!Files.exists(p)) fail("shared test data file missing: " + p);
    return p;
  }
}
