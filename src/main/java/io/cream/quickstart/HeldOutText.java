package io.cream.quickstart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Cuts a held-out book into a few documents of about the same size, on paragraph breaks. */
final class HeldOutText {
  private HeldOutText() {}

  static void split(Path book, Path dir, int charsPerPiece, int maxPieces) throws IOException {
    String text;
    try (InputStream in = book.toString().endsWith(".gz")
        ? new GZIPInputStream(Files.newInputStream(book)) : Files.newInputStream(book)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
    }
    int start = 0;
    for (int piece = 0; piece < maxPieces && start < text.length(); piece++) {
      int end = Math.min(text.length(), start + charsPerPiece);
      int para = text.indexOf("\n\n", end);
      end = para < 0 ? text.length() : para;
      Files.writeString(dir.resolve(String.format("piece-%02d.txt", piece)), text.substring(start, end).strip() + "\n");
      start = end;
    }
  }
}
