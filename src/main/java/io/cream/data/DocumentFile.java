package io.cream.data;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A file of a {@link DocumentSource}: its path relative to the source folder (with '/'), where it
 * is, and the size and modification time that tell a cache whether it changed.
 */
public record DocumentFile(String relativePath, Path path, long size, long modifiedMillis, Format format) {

  /** How a file holds its documents. */
  public enum Format {
    /** The whole file is one document. */
    TEXT,
    /** One JSON object per line, the document in its string field "text". */
    JSONL
  }

  /** Whether the file is gzip-compressed (its name ends in .gz). */
  public boolean gzipped() {
    return relativePath.toLowerCase(Locale.ROOT).endsWith(".gz");
  }
}
