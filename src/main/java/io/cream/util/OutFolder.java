package io.cream.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An output folder checked before any work: made if missing, and shown writable by writing a file in it. */
public final class OutFolder {
  private OutFolder() {}

  /** Creates {@code out} if needed and proves it writable; else one line naming the {@code option}. */
  public static Path requireWritable(Path out, String option) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new UserError(option + " " + out + " is a file, not a folder; choose a folder");
    }
    try {
      Files.createDirectories(out);
      Path probe = Files.createTempFile(out, ".write-test-", ".tmp");
      Files.delete(probe);
      return out;
    } catch (IOException | SecurityException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
      throw new UserError("cannot write in the " + option + " folder " + out + " (" + why + "); choose a writable folder");
    }
  }
}
