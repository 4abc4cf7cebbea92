package io.cream.eval;

import io.cream.util.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Plain-Java reading of a folder of .txt and .txt.gz files (haystacks, perplexity documents). */
public final class TextFiles {
  private TextFiles() {}

  /** The folder's .txt and .txt.gz files (recursively), sorted by path; at least one. */
  public static List<Path> list(Path dir, String what) {
    UserError.require(dir != null, what + " needs a folder of .txt or .txt.gz files; pass it with its option");
    UserError.require(Files.isDirectory(dir), what + " folder not found: " + dir + " (pass a folder of .txt or .txt.gz files)");
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files = walk.filter(Files::isRegularFile).filter(TextFiles::isText).sorted().toList();
      UserError.require(!files.isEmpty(), "no .txt or .txt.gz files in " + dir + " (" + what + " reads those)");
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  public static boolean isText(Path p) {
    String name = p.getFileName().toString();
    return name.endsWith(".txt") || name.endsWith(".txt.gz");
  }

  /** A file's text (UTF-8, gunzipped when it ends in .gz), at most maxChars characters. */
  public static String read(Path file, int maxChars) {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
        var reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
      StringBuilder sb = new StringBuilder();
      char[] buf = new char[1 << 16];
      int n;
      while (sb.length() < maxChars && (n = reader.read(buf, 0, Math.min(buf.length, maxChars - sb.length()))) > 0) {
        sb.append(buf, 0, n);
      }
      return sb.toString();
    } catch (IOException e) {
      throw new UserError("cannot read " + file + " (" + e.getMessage() + "); check that it is UTF-8 text or gzip", e);
    }
  }
}
