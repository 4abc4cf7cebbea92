package io.cream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.testutil.SharedData;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DocumentSourceTest {
  @TempDir Path dir;
  private final Random random = new Random(42);
  private final List<Document> expected = new ArrayList<>();

  /** Random text with non-ASCII letters and several lines, never empty. */
  private String text(int words) {
    String[] pool = {"alpha", "Bēta", "gamma", "δέλτα", "epsilon", "zeta", "naïve", "\"quoted\"", "tab\tbed"};
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < words; i++) {
      s.append(pool[random.nextInt(pool.length)]).append(random.nextInt(9) == 0 ? "\n" : " ");
    }
    return s.toString();
  }

  static void write(Path file, byte[] bytes, boolean gzip) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
      out.write(bytes);
    }
  }

  private void txt(String rel, boolean gzip) throws IOException {
    String t = text(50 + random.nextInt(50));
    write(dir.resolve(rel), t.getBytes(StandardCharsets.UTF_8), gzip);
    expected.add(new Document(rel, t));
  }

  private void jsonl(String rel, int docs, boolean gzip) throws IOException {
    StringBuilder file = new StringBuilder();
    for (int i = 1; i <= docs; i++) {
      String t = text(20 + random.nextInt(20));
      file.append(io.cream.util.Json.compact(java.util.Map.of("text", t, "meta", i))).append('\n');
      expected.add(new Document(rel + "#" + i, t));
    }
    write(dir.resolve(rel), file.toString().getBytes(StandardCharsets.UTF_8), gzip);
  }

  @BeforeEach
  void corpus() throws IOException {
    // in sorted relative-path order, so `expected` is the reading order
    txt("a.txt", false);
    jsonl("b/c.jsonl.gz", 3, true);
    txt("b/d/e.txt.gz", true);
    jsonl("b/d/f.jsonl", 4, false);
    txt("g.txt", false);
    // not documents
    write(dir.resolve(".hidden.txt"), "x".getBytes(), false);
    write(dir.resolve(".cache/h.txt"), "x".getBytes(), false);
    write(dir.resolve("README.md"), "x".getBytes(), false);
    write(dir.resolve("README.txt"), "x".getBytes(), false);
    write(dir.resolve("VALIDATION.txt"), "b/d/e.txt.gz\n\n# comment\nb/d/f.jsonl#2\n".getBytes(), false);
    write(dir.resolve("notes.csv"), "x".getBytes(), false);
  }

  private static List<Document> read(DocumentSource s) {
    List<Document> out = new ArrayList<>();
    for (Document d : s) out.add(d);
    return out;
  }

  @Test
  void readsAllFourFormatsInSortedOrder() {
    DocumentSource s = DocumentSource.of(dir);
    assertEquals(List.of("a.txt", "b/c.jsonl.gz", "b/d/e.txt.gz", "b/d/f.jsonl", "g.txt"),
        s.files().stream().map(DocumentFile::relativePath).toList());
    assertEquals(expected, read(s));
    assertEquals(expected, read(s), "a second pass reads the same");
  }

  @Test
  void bytesReadReachesTotalOnDisk() {
    DocumentSource s = DocumentSource.of(dir);
    try (DocumentIterator it = s.iterator()) {
      long last = 0;
      while (it.hasNext()) {
        it.next();
        assertTrue(it.bytesRead() >= last);
        last = it.bytesRead();
      }
      assertEquals(s.totalBytes(), it.bytesRead());
    }
  }

  @Test
  void exclusionsByPathAndByLine() {
    DocumentSource s = DocumentSource.of(dir).excludingListed(dir.resolve("VALIDATION.txt"));
    List<Document> want = expected.stream()
        .filter(d -> !d.id().equals("b/d/e.txt.gz") && !d.id().equals("b/d/f.jsonl#2")).toList();
    assertEquals(want, read(s));
    assertEquals(List.of("b/c.jsonl.gz#1", "b/c.jsonl.gz#2", "b/c.jsonl.gz#3", "g.txt"),
        DocumentSource.of(dir).excluding(List.of("a.txt", "b/d")).stream().map(Document::id).toList());
    assertEquals(List.of("b/d/e.txt.gz", "b/d/f.jsonl#1", "b/d/f.jsonl#3"),
        DocumentSource.of(dir).including(List.of("b/d")).excluding(List.of("b/d/f.jsonl#2", "b/d/f.jsonl#4"))
            .stream().map(Document::id).toList());
  }

  @Test
  void listPathsAreRelativeToTheListFolder() {
    // a source over a sub-folder with the list of the parent folder still excludes the right file
    DocumentSource sub = DocumentSource.of(dir.resolve("b/d")).excludingListed(dir.resolve("VALIDATION.txt"));
    assertEquals(List.of("f.jsonl#1", "f.jsonl#3", "f.jsonl#4"), sub.stream().map(Document::id).toList());
  }

  @Test
  void includingPicksHeldOutDocuments() {
    DocumentSource held = DocumentSource.of(dir).includingListed(dir.resolve("VALIDATION.txt"));
    assertEquals(List.of("b/d/e.txt.gz", "b/d/f.jsonl#2"), held.stream().map(Document::id).toList());
  }

  @Test
  void listFileInsideTheFolderIsNotADocument() throws IOException {
    Path list = dir.resolve("held-out.txt");
    Files.writeString(list, "a.txt\n");
    assertTrue(DocumentSource.of(dir).files().stream().anyMatch(f -> f.relativePath().equals("held-out.txt")));
    DocumentSource s = DocumentSource.of(dir).excludingListed(list);
    assertFalse(s.stream().anyMatch(d -> d.id().equals("held-out.txt") || d.id().equals("a.txt")));
  }

  @Test
  void singleFileIsASource() {
    DocumentSource s = DocumentSource.of(dir.resolve("b/d/f.jsonl"));
    assertEquals(expected.subList(5, 9).stream().map(d -> new Document(d.id().substring(4), d.text())).toList(), read(s));
  }

  @Test
  void latin1AndCrlfAreNormalized() throws IOException {
    Path f = dir.resolve("latin/old.txt");
    write(f, "Caf\u00e9 \u00e6ther\r\nline two\r\n".getBytes(Charset.forName("windows-1252")), false);
    assertEquals("Caf\u00e9 \u00e6ther\nline two\n", read(DocumentSource.of(f)).get(0).text());
    Path bom = dir.resolve("latin/bom.txt");
    write(bom, "\uFEFFna\u00efve\rx".getBytes(StandardCharsets.UTF_8), false);
    assertEquals("na\u00efve\nx", read(DocumentSource.of(bom)).get(0).text());
  }

  @Test
  void jsonlLineWithoutTextNamesFileAndLine() throws IOException {
    Path f = dir.resolve("bad.jsonl");
    Files.writeString(f, "{\"text\":\"ok\"}\n\n{\"body\":\"no text\"}\n");
    DocumentSource s = DocumentSource.of(f);
    UserError e = assertThrows(UserError.class, () -> read(s));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("line 3"), e.getMessage());
    Files.writeString(f, "{\"text\": 7}\n");
    assertThrows(UserError.class, () -> read(DocumentSource.of(f)));
    Files.writeString(f, "{\"text\": \"unterminated\n");
    UserError notJson = assertThrows(UserError.class, () -> read(DocumentSource.of(f)));
    assertTrue(notJson.getMessage().contains("line 1"), notJson.getMessage());
  }

  @Test
  void promptCompletionLinesKeepWhereTheCompletionStarts() throws IOException {
    Path f = dir.resolve("qa.jsonl");
    Files.writeString(f, "{\"prompt\":\"Q: 2+2?\\r\\nA:\",\"completion\":\" 4\"}\n{\"text\":\"plain\"}\n");
    List<Document> docs = read(DocumentSource.of(f));
    assertEquals(new Document("qa.jsonl#1", "Q: 2+2?\nA: 4", 10), docs.get(0), "CRLF normalised before counting");
    assertEquals("Q: 2+2?\nA:", docs.get(0).prompt());
    assertEquals(new Document("qa.jsonl#2", "plain", 0), docs.get(1));
    Files.writeString(f, "{\"prompt\":\"Q\",\"completion\":\"\"}\n");
    UserError empty = assertThrows(UserError.class, () -> read(DocumentSource.of(f)));
    assertTrue(empty.getMessage().contains("\"completion\" is empty") && empty.getMessage().contains("line 1"),
        empty.getMessage());
    Files.writeString(f, "{\"prompt\":\"Q\"}\n");
    UserError half = assertThrows(UserError.class, () -> read(DocumentSource.of(f)));
    assertTrue(half.getMessage().contains("\"prompt\" and \"completion\""), half.getMessage());
  }

  @Test
  void missingOrEmptyFoldersAreUserErrors() throws IOException {
    UserError missing = assertThrows(UserError.class, () -> DocumentSource.of(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("nope") && missing.getMessage().contains(".jsonl.gz"), missing.getMessage());
    Path empty = Files.createDirectories(dir.resolve("empty"));
    Files.writeString(empty.resolve("README.txt"), "about");
    UserError none = assertThrows(UserError.class, () -> DocumentSource.of(empty));
    assertTrue(none.getMessage().contains(empty.toString()) && none.getMessage().contains(".txt.gz"), none.getMessage());
    assertThrows(UserError.class, () -> DocumentSource.of(dir.resolve("notes.csv")));
    assertThrows(UserError.class, () -> DocumentSource.of(dir).excluding(List.of("a.txt", "b", "g.txt")));
    assertThrows(UserError.class, () -> DocumentSource.of(dir).includingListed(dir.resolve("missing.txt")));
  }

  @Test
  void streamStopsEarlyAndCloses() {
    try (Stream<Document> s = DocumentSource.of(dir).stream()) {
      assertEquals(expected.subList(0, 2), s.limit(2).toList());
    }
  }

  @Test
  void sharedCorpusWithValidationSplit() {
    Path corpus = SharedData.dir().resolve("corpus");
    List<String> heldOut = DocumentSource.readList(corpus.resolve("VALIDATION.txt"));
    DocumentSource all = DocumentSource.of(corpus);
    DocumentSource train = all.excludingListed(corpus.resolve("VALIDATION.txt"));
    assertEquals(411, all.files().size());
    assertEquals(411 - heldOut.size(), train.files().size());
    assertFalse(train.files().stream().anyMatch(f -> heldOut.contains(f.relativePath())));
    // read the held-out split (small): every document is non-trivial, decoded text
    DocumentSource held = all.includingListed(corpus.resolve("VALIDATION.txt"));
    List<Document> docs = read(held);
    assertEquals(heldOut.stream().sorted().toList(), docs.stream().map(Document::id).toList());
    for (Document d : docs) {
      assertTrue(d.text().length() > 1000, d.id());
      assertFalse(d.text().contains("\r") || d.text().contains("\uFFFD"), d.id());
    }
    assertTrue(Set.copyOf(docs).size() == docs.size());
  }
}
