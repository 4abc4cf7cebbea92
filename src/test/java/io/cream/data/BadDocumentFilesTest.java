package io.cream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, point 6: a damaged or non-text document file is named in one line, never a bare exception. */
class BadDocumentFilesTest {
  @TempDir Path dir;

  private static List<Document> readAll(Path p) {
    return DocumentSource.of(p).stream().toList();
  }

  @Test
  void anEmptyGzFileIsNamed() throws IOException {
    Path gz = Files.write(dir.resolve("empty.txt.gz"), new byte[0]);
    UserError e = assertThrows(UserError.class, () -> readAll(dir));
    assertTrue(e.getMessage().startsWith(gz.toString() + " is not a complete gzip file"), e.getMessage());
    assertTrue(e.getMessage().contains("download it again"), e.getMessage());
  }

  @Test
  void aCorruptOrTruncatedGzFileIsNamed() throws IOException {
    Path bad = Files.write(dir.resolve("a.jsonl.gz"), "plain text, not gzip".getBytes(StandardCharsets.UTF_8));
    UserError e = assertThrows(UserError.class, () -> readAll(bad));
    assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("not a complete gzip file"), e.getMessage());

    Path full = dir.resolve("sub/b.txt.gz");
    DocumentSourceTest.write(full, "some text ".repeat(500).getBytes(StandardCharsets.UTF_8), true);
    byte[] bytes = Files.readAllBytes(full);
    Files.write(full, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    e = assertThrows(UserError.class, () -> readAll(full));
    assertTrue(e.getMessage().contains(full.toString()) && e.getMessage().contains("cut short"), e.getMessage());
  }

  @Test
  void randomBytesAreRefusedAsBinary() throws IOException {
    byte[] noise = new byte[4000];
    new Random(1).nextBytes(noise);
    Path f = Files.write(dir.resolve("noise.txt"), noise);
    UserError e = assertThrows(UserError.class, () -> readAll(dir));
    assertTrue(e.getMessage().startsWith(f + " looks binary, not text"), e.getMessage());
  }

  @Test
  void textThatIsNotUtf8IsReadWithOneWarningNamingTheFile() throws IOException {
    byte[] latin1 = "caf\u00e9 na\u00efve r\u00e9sum\u00e9 and more plain words here".getBytes(StandardCharsets.ISO_8859_1);
    Path f = Files.write(dir.resolve("latin1.txt"), latin1);
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<Document> docs;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      docs = readAll(dir);
      readAll(dir); // read again: no second warning
    } finally {
      System.setErr(saved);
    }
    assertEquals("caf\u00e9 na\u00efve r\u00e9sum\u00e9 and more plain words here", docs.get(0).text());
    String out = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, out.lines().count(), out);
    assertTrue(out.startsWith("cream: warning: " + f + " is not valid UTF-8 (4 invalid byte sequences"), out);
  }

  @Test
  void utf8TextGivesNoWarning() throws IOException {
    Files.writeString(dir.resolve("ok.txt"), "naïve δέλτα\n\tindented\r\n");
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals("naïve δέλτα\n\tindented\n", readAll(dir).get(0).text());
    } finally {
      System.setErr(saved);
    }
    assertEquals("", err.toString(StandardCharsets.UTF_8));
  }
}
