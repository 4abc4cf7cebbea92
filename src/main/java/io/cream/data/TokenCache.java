package io.cream.data;

import io.cream.util.Parallel;
import io.cream.util.AtomicFiles;
import io.cream.util.CreamCache;
import io.cream.util.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Tokenizes a {@link DocumentSource} once and keeps the token ids on disk, so later training and
 * evaluation runs map the file instead of tokenizing again.
 *
 * <p>One cache file per (source folder, encoder key, selection) in the cache folder. It records a
 * fingerprint of everything that went into it: the encoder key the caller gives (e.g. the
 * tokenizer file's sha256), the selection (exclusions), and each file's relative path, size and
 * modification time. A file whose fingerprint differs, or that fails its checks (truncated,
 * checksum), is rebuilt, never trusted. The file is written to a temporary name and renamed, so a
 * crash leaves the old cache or none. Documents are tokenized on all cores, in order.
 *
 * <p>The encoder must be thread-safe (it is called from several threads at once).
 */
public final class TokenCache {
  private final Path dir;
  private final Progress.Mode progressMode; // null: detect

  private TokenCache(Path dir, Progress.Mode progressMode) {
    this.dir = dir.toAbsolutePath().normalize();
    this.progressMode = progressMode;
  }

  /** A cache in the given folder, progress shown on stderr. */
  public static TokenCache in(Path dir) {
    return new TokenCache(dir, null);
  }

  /** The cache in $CREAM_CACHE/tokens (default ~/.cache/cream/tokens). */
  public static TokenCache inDefaultDir() {
    return in(CreamCache.dir("tokens"));
  }

  /** The same cache printing nothing (no progress, no notes). */
  public TokenCache quiet() {
    return new TokenCache(dir, Progress.Mode.SILENT);
  }

  public Path dir() {
    return dir;
  }

  /** The file that caches {@code source} tokenized with {@code encoderKey}. */
  public Path fileFor(DocumentSource source, String encoderKey) {
    String name = source.root().getFileName() == null ? "root" : source.root().getFileName().toString();
    String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
    String where = sha256Hex(source.root() + "\n" + encoderKey + "\n" + source.selectionKey());
    return dir.resolve(safe + "-" + where.substring(0, 16) + ".tokens");
  }

  /**
   * The tokens of the source's documents: from the cache when it is current, else tokenized now
   * (and cached). Close the result when done with it.
   */
  public TokenizedCorpus open(DocumentSource source, Function<String, int[]> encoder, String encoderKey) {
    return open(source, encoder, encoder, encoderKey);
  }

  /**
   * As above, with the encoder for templated documents (rendered conversations, whose text holds
   * its own special tokens): the tokenizer without the BOS/EOS it adds to plain text.
   */
  public TokenizedCorpus open(DocumentSource source, Function<String, int[]> encoder,
      Function<String, int[]> templatedEncoder, String encoderKey) {
    Path file = fileFor(source, encoderKey);
    byte[] fingerprint = fingerprint(source, encoderKey);
    try {
      if (Files.exists(file)) {
        try {
          TokenizedCorpus cached = TokenCacheFile.open(file, fingerprint);
          note("tokens of " + source.root() + " from cache " + file + " (" + cached.documentCount()
              + " documents, " + cached.totalTokens() + " tokens)");
          return cached;
        } catch (TokenCacheFile.Invalid e) {
          note("token cache " + file + " cannot be used (" + e.getMessage() + "): tokenizing again");
        }
      }
      build(source, encoder, templatedEncoder, file, fingerprint);
      try {
        return TokenCacheFile.open(file, fingerprint);
      } catch (TokenCacheFile.Invalid e) {
        throw new IOException("token cache " + file + " just written fails its check: " + e.getMessage());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("token cache " + file + ": " + e.getMessage(), e);
    }
  }

  private void build(DocumentSource source, Function<String, int[]> encoder,
      Function<String, int[]> templatedEncoder, Path file, byte[] fingerprint) throws IOException {
    int threads = Parallel.threads();
    int maxInFlight = 2 * threads; // bounds memory: a few documents per worker
    ExecutorService pool =
        Executors.newFixedThreadPool(threads, r -> {
          Thread t = new Thread(r, "cream-tokenize");
          t.setDaemon(true);
          return t;
        });
    String label = "tokenizing " + source.root().getFileName();
    Progress.Builder pb = Progress.builder(label).total(source.totalBytes()).unit("B");
    if (progressMode != null) pb.mode(progressMode);
    try (Progress progress = pb.build(); DocumentIterator docs = source.iterator()) {
      AtomicFiles.write(file, out -> {
        TokenCacheFile.Writer writer = new TokenCacheFile.Writer(out);
        ArrayDeque<Pending> window = new ArrayDeque<>();
        long[] credited = {0};
        while (docs.hasNext()) {
          Document d = docs.next();
          window.add(new Pending(d.id(), docs.bytesRead(), pool.submit(() -> encode(d.templated() ? templatedEncoder : encoder, d))));
          if (window.size() >= maxInFlight) writeHead(window, writer, progress, credited);
        }
        while (!window.isEmpty()) writeHead(window, writer, progress, credited);
        writer.finish(fingerprint);
      });
    } finally {
      pool.shutdownNow();
    }
  }

  private record Pending(String id, long bytesRead, Future<Encoded> tokens) {}

  /** A document's tokens and its target token spans (see {@link TokenizedCorpus#targetSpans}). */
  private record Encoded(int[] tokens, int[] targetSpans) {}

  private static void writeHead(ArrayDeque<Pending> window, TokenCacheFile.Writer writer, Progress progress,
      long[] credited) throws IOException {
    Pending p = window.poll();
    Encoded tokens;
    try {
      tokens = p.tokens().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while tokenizing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) throw r;
      throw new IOException("tokenizing " + p.id() + " failed: " + e.getCause(), e.getCause());
    }
    writer.add(p.id(), tokens.tokens(), tokens.targetSpans());
    progress.advance(p.bytesRead() - credited[0]);
    credited[0] = p.bytesRead();
    progress.setMessage(writer.documentCount() + " docs, " + Progress.formatCount(writer.totalTokens()) + " tokens");
  }

  /** The document's tokens and target spans ({@link TargetSpans}). */
  private static Encoded encode(Function<String, int[]> encoder, Document d) {
    int[] tokens = encoder.apply(d.text());
    if (tokens == null) throw new IllegalStateException("the encoder returned null for document " + d.id());
    return new Encoded(tokens, TargetSpans.of(d, tokens, encoder));
  }

  /** sha256 of everything the cached tokens depend on. */
  static byte[] fingerprint(DocumentSource source, String encoderKey) {
    StringBuilder s = new StringBuilder();
    s.append("cream-token-cache v").append(TokenCacheFile.VERSION).append('\n');
    s.append("encoder ").append(encoderKey).append('\n');
    s.append("selection ").append(source.selectionKey()).append('\n');
    for (DocumentFile f : source.files()) {
      s.append(f.relativePath()).append('\t').append(f.size()).append('\t').append(f.modifiedMillis()).append('\n');
    }
    return sha256(s.toString());
  }

  private void note(String line) {
    if (progressMode != Progress.Mode.SILENT) System.err.println("cream: " + line);
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(String text) {
    return HexFormat.of().formatHex(sha256(text));
  }
}
