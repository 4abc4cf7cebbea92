package io.cream.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenCacheTest {
  @TempDir Path tmp;
  private Path docs;
  private TokenCache cache;
  private final AtomicInteger calls = new AtomicInteger();

  /** Toy tokenizer: the UTF-8 bytes of the text as ints, counted. */
  private final Function<String, int[]> encoder = text -> {
    calls.incrementAndGet();
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int[] t = new int[b.length];
    for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xff;
    return t;
  };

  private static String randomText(Random r, int length) {
    StringBuilder s = new StringBuilder();
    while (s.length() < length) s.append((char) ('a' + r.nextInt(26))).append(r.nextInt(7) == 0 ? " é " : "");
    return s.toString();
  }

  @BeforeEach
  void setUp() throws IOException {
    docs = tmp.resolve("docs");
    Random r = new Random(7);
    for (int i = 0; i < 40; i++) {
      Path f = docs.resolve("part" + (i % 3)).resolve(String.format("doc%02d.txt", i));
      Files.createDirectories(f.getParent());
      Files.writeString(f, randomText(r, 1 + r.nextInt(3000)));
    }
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 25; i++) {
      jsonl.append(io.cream.util.Json.compact(java.util.Map.of("text", randomText(r, 1 + r.nextInt(500))))).append('\n');
    }
    Files.writeString(docs.resolve("lines.jsonl"), jsonl);
    cache = TokenCache.in(tmp.resolve("cache")).quiet();
  }

  private static void assertMatchesSource(DocumentSource source, Function<String, int[]> enc, TokenizedCorpus c) {
    List<Document> expected = new ArrayList<>();
    source.forEach(expected::add);
    assertEquals(expected.size(), c.documentCount());
    long total = 0;
    for (int i = 0; i < expected.size(); i++) {
      int[] want = enc.apply(expected.get(i).text());
      assertEquals(expected.get(i).id(), c.id(i));
      assertEquals(want.length, c.length(i));
      assertEquals(total, c.start(i));
      assertArrayEquals(want, c.tokens(i));
      total += want.length;
    }
    assertEquals(total, c.totalTokens());
  }

  @Test
  void roundTripInSourceOrder() {
    DocumentSource source = DocumentSource.of(docs);
    try (TokenizedCorpus c = cache.open(source, encoder, "utf8-bytes")) {
      assertEquals(65, c.documentCount());
      assertEquals(65, calls.get());
      assertMatchesSource(source, encoder, c);
      // partial copies land at the right offsets
      int doc = 5;
      int[] dst = new int[12];
      java.util.Arrays.fill(dst, -1);
      int len = Math.min(8, c.length(doc) - 1);
      c.copy(doc, 1, dst, 3, len);
      int[] all = c.tokens(doc);
      for (int i = 0; i < len; i++) assertEquals(all[1 + i], dst[3 + i]);
      assertEquals(-1, dst[2]);
      assertThrows(IndexOutOfBoundsException.class, () -> c.copy(doc, c.length(doc) - 1, dst, 0, 2));
    }
  }

  @Test
  void promptLengthsSurviveTheCacheFile() throws IOException {
    Path qa = tmp.resolve("qa");
    Random r = new Random(11);
    StringBuilder jsonl = new StringBuilder();
    List<Integer> promptBytes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String prompt = i % 4 == 0 ? "" : randomText(r, 1 + r.nextInt(200));
      String completion = randomText(r, 1 + r.nextInt(20));
      jsonl.append(io.cream.util.Json.compact(java.util.Map.of("prompt", prompt, "completion", completion))).append('\n');
      promptBytes.add(prompt.getBytes(StandardCharsets.UTF_8).length);
    }
    jsonl.append("{\"text\":\"plain text is all targets\"}\n");
    promptBytes.add(0);
    Files.createDirectories(qa);
    Files.writeString(qa.resolve("qa.jsonl"), jsonl);
    DocumentSource source = DocumentSource.of(qa);
    for (int pass = 0; pass < 2; pass++) { // built, then read back from the file
      try (TokenizedCorpus c = cache.open(source, encoder, "utf8-bytes")) {
        assertEquals(31, c.documentCount());
        for (int i = 0; i < 31; i++) assertEquals(promptBytes.get(i), c.promptLength(i), "document " + i);
      }
    }
  }

  @Test
  void promptEndingInsideAMergedTokenCountsThatTokenAsCompletion() throws IOException {
    // A tokenizer that merges "ab" into one token: the prompt "xa" + completion "b" share no
    // boundary, so only "x" is prompt.
    Function<String, int[]> merging = text -> text.replace("ab", "Z").chars().toArray();
    Path qa = tmp.resolve("merge");
    Files.createDirectories(qa);
    Files.writeString(qa.resolve("m.jsonl"), "{\"prompt\":\"xa\",\"completion\":\"b\"}\n");
    try (TokenizedCorpus c = cache.open(DocumentSource.of(qa), merging, "merge")) {
      assertArrayEquals(new int[] {'x', 'Z'}, c.tokens(0));
      assertEquals(1, c.promptLength(0));
    }
  }

  @Test
  void reusedWithoutEncodingAgain() throws IOException {
    DocumentSource source = DocumentSource.of(docs);
    cache.open(source, encoder, "k").close();
    Path file = cache.fileFor(source, "k");
    int after = calls.get();
    try (TokenizedCorpus c = cache.open(DocumentSource.of(docs), encoder, "k")) {
      assertEquals(after, calls.get(), "second open must not tokenize");
      assertEquals(65, c.documentCount());
    }
    assertTrue(Files.exists(file));
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void changedFileOrKeyOrSelectionRebuilds() throws IOException {
    cache.open(DocumentSource.of(docs), encoder, "k").close();
    Path changed = docs.resolve("part1/doc04.txt");
    Files.writeString(changed, "now different text of another length");
    Files.setLastModifiedTime(changed, FileTime.fromMillis(Files.getLastModifiedTime(changed).toMillis() + 5000));
    calls.set(0);
    DocumentSource source = DocumentSource.of(docs);
    try (TokenizedCorpus c = cache.open(source, encoder, "k")) {
      assertEquals(65, calls.get());
      assertMatchesSource(source, encoder, c);
    }
    // another tokenizer key: rebuilt, with that tokenizer's ids
    Function<String, int[]> doubled = t -> java.util.Arrays.stream(encoder.apply(t)).map(x -> 2 * x + 1).toArray();
    try (TokenizedCorpus c = cache.open(source, doubled, "k2")) {
      assertMatchesSource(source, doubled, c);
    }
    // an exclusion changes the documents: rebuilt with 64
    calls.set(0);
    DocumentSource fewer = source.excluding(List.of("lines.jsonl#3"));
    try (TokenizedCorpus c = cache.open(fewer, encoder, "k")) {
      assertEquals(64, calls.get());
      assertEquals(64, c.documentCount());
    }
  }

  @Test
  void sameSizeEditIsSeenThroughTheModificationTime() throws IOException {
    cache.open(DocumentSource.of(docs), encoder, "k").close();
    Path changed = docs.resolve("part0/doc00.txt");
    byte[] b = Files.readAllBytes(changed);
    b[0] = (byte) (b[0] == 'x' ? 'y' : 'x');
    FileTime before = Files.getLastModifiedTime(changed);
    Files.write(changed, b);
    Files.setLastModifiedTime(changed, FileTime.fromMillis(before.toMillis() + 2000));
    calls.set(0);
    DocumentSource source = DocumentSource.of(docs);
    try (TokenizedCorpus c = cache.open(source, encoder, "k")) {
      assertEquals(65, calls.get());
      int doc = java.util.stream.IntStream.range(0, c.documentCount())
          .filter(i -> c.id(i).equals("part0/doc00.txt")).findFirst().orElseThrow();
      assertArrayEquals(encoder.apply(Files.readString(changed)), c.tokens(doc));
      assertEquals(b[0] & 0xff, c.tokens(doc)[0]);
    }
  }

  @Test
  void corruptOrTruncatedCacheIsRebuilt() throws IOException {
    DocumentSource source = DocumentSource.of(docs);
    cache.open(source, encoder, "k").close();
    Path file = cache.fileFor(source, "k");
    // flip one byte in the middle of the tokens
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(1000);
      int b = raf.read();
      raf.seek(1000);
      raf.write(b ^ 0x10);
    }
    calls.set(0);
    try (TokenizedCorpus c = cache.open(DocumentSource.of(docs), encoder, "k")) {
      assertEquals(65, calls.get(), "a corrupt cache is rebuilt");
      assertMatchesSource(source, encoder, c);
    }
    // cut it short
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(raf.length() - 30);
    }
    calls.set(0);
    try (TokenizedCorpus c = cache.open(DocumentSource.of(docs), encoder, "k")) {
      assertEquals(65, calls.get(), "a truncated cache is rebuilt");
      assertMatchesSource(source, encoder, c);
    }
    // garbage of a plausible size
    Files.write(file, new byte[4096]);
    calls.set(0);
    cache.open(DocumentSource.of(docs), encoder, "k").close();
    assertEquals(65, calls.get(), "garbage is rebuilt");
  }

  @Test
  void failingEncoderLeavesNoCache() throws IOException {
    DocumentSource source = DocumentSource.of(docs);
    Function<String, int[]> failing = t -> {
      if (t.length() > 2000) throw new IllegalArgumentException("too long for this toy");
      return encoder.apply(t);
    };
    assertThrows(IllegalArgumentException.class, () -> cache.open(source, failing, "f"));
    assertTrue(!Files.exists(cache.fileFor(source, "f")));
    try (var files = Files.list(cache.dir())) {
      assertEquals(0, files.count(), "the temporary file was removed");
    }
  }

  @Test
  void closedCorpusRefusesReads() {
    TokenizedCorpus c = cache.open(DocumentSource.of(docs), encoder, "k");
    c.close();
    assertThrows(IllegalStateException.class, () -> c.tokens(0));
  }

  @Test
  void inMemoryCorpusMatchesInterface() {
    TokenizedCorpus c = TokenizedCorpus.of(List.of("a", "b"), List.of(new int[] {3, 1, 4}, new int[] {1, 5}));
    assertEquals(5, c.totalTokens());
    assertEquals(3, c.start(1));
    assertArrayEquals(new int[] {1, 5}, c.tokens(1));
    assertEquals("b", c.id(1));
  }
}
