package io.cream.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Pattern;

/**
 * Writes that never leave a half-written file behind: write to a temporary file in the same
 * folder, force it to disk, then rename over the target (atomic on POSIX file systems).
 */
public final class AtomicFiles {
  /** The temporary files {@link #write} makes: {@code .NAME.DIGITS.tmp} beside the target. */
  private static final Pattern TEMP = Pattern.compile("\\..+\\.\\d+\\.tmp");

  private AtomicFiles() {}

  /** Whether a file name is one of this class's temporary files (a leftover when no write runs). */
  public static boolean isTemp(String fileName) {
    return TEMP.matcher(fileName).matches();
  }

  /** Something that writes a file's bytes. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  public static void write(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp"); // see TEMP
    try {
      try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE);
          OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20)) {
        writer.write(out);
        out.flush();
        channel.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  public static void writeString(Path target, String text) throws IOException {
    write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
  }
}
