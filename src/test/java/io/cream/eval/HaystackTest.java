package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaystackTest {
  @Test
  void sentencesKeepTheirWhitespaceAndRebuildTheText() {
    String text = "He said \"stop.\" Then left! Did he? Yes.\n\nA new paragraph (with brackets.) End";
    Haystack h = Haystack.fromText(text);
    assertEquals(6, h.size());
    assertEquals("He said \"stop.\" ", h.unit(0));
    assertEquals("Yes.\n\n", h.unit(3));
    assertEquals(text, h.join(0, h.size()));
    assertEquals(h.unit(1), h.unit(1 + h.size()), "units cycle");
    assertEquals(h.unit(2), h.from(2).unit(0));
  }

  @Test
  void longRunsWithoutPunctuationAreCut() {
    String text = "word ".repeat(300);
    Haystack h = Haystack.fromText(text);
    assertTrue(h.size() >= 4);
    for (int i = 0; i < h.size(); i++) assertTrue(h.unit(i).length() <= 400);
  }

  @Test
  void folderFilesAreReadSortedWithGzip(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("b.txt"), "Second file.");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("a.txt.gz")))) {
      out.write("First file. Two sentences.".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(dir.resolve("ignored.md"), "Not text.");
    Haystack h = Haystack.fromFolder(dir, 10_000);
    assertEquals("First file. Two sentences.\n\nSecond file.", h.join(0, h.size()));
    assertEquals("First file.", Haystack.fromFolder(dir, 11).join(0, 1));
  }

  @Test
  void emptyOrMissingFoldersAreUserErrors(@TempDir Path dir) {
    assertThrows(UserError.class, () -> Haystack.fromFolder(dir, 100));
    assertThrows(UserError.class, () -> Haystack.fromFolder(dir.resolve("nope"), 100));
  }
}
