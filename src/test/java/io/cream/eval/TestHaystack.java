package io.cream.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A haystack folder for needle tests: one file of plain, varied sentences. */
final class TestHaystack {
  private static Path shared;

  private TestHaystack() {}

  /** One folder for the whole test run, removed when the JVM exits. */
  static synchronized Path folder() {
    if (shared == null) {
      try {
        shared = Files.createTempDirectory("cream-haystack");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      // deleteOnExit runs in reverse order of registration: the folder must come first to go last.
      shared.toFile().deleteOnExit();
      in(shared);
      shared.resolve("haystack.txt").toFile().deleteOnExit();
    }
    return shared;
  }

  /** Writes dir/haystack.txt (once) and returns dir. */
  static Path in(Path dir) {
    Path file = dir.resolve("haystack.txt");
    if (Files.exists(file)) return dir;
    StringBuilder text = new StringBuilder();
    String[] words = {"river", "stone", "lamp", "orchard", "letter", "harbour", "window", "meadow"};
    for (int i = 0; i < 600; i++) {
      text.append("The ").append(words[i % words.length]).append(" number ").append(i)
          .append(" was quiet that ").append(words[(i * 3) % words.length]).append(" morning. ");
      if (i % 7 == 6) text.append("\n\n");
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(file, text.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}
