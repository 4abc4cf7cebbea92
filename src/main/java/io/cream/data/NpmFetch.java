package io.cream.data;

import io.cream.util.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * The project's data-fetching step: gets the files of a {@link FetchSpec} with {@code npm pack},
 * checks the tarball's sha256 against the pinned value, and writes the wanted files into the
 * target folder. Nothing is fetched when the folder already holds them all.
 *
 * <p>Files are extracted into a temporary folder beside the target and then renamed into place,
 * so an interrupted fetch leaves no half-written file. The code names no registry URL: npm uses
 * whatever registry it is configured with, and the pinned hash decides whether the bytes are right.
 */
public final class NpmFetch {
  private NpmFetch() {}

  /** Downloads a package tarball into a working folder and returns its path. */
  @FunctionalInterface
  public interface Packer {
    Path pack(String packageSpec, Path workDir) throws IOException;
  }

  /** What {@link #ensure} did. */
  public record Result(FetchSpec spec, Path dir, boolean fetched, List<Path> files) {}

  /** The sample corpus folder (18 Gutenberg books as .txt), fetched on first use. */
  public static Path ensureCorpus() {
    return ensure(FetchSpec.corpus(), FetchSpec.corpus().defaultDir()).dir();
  }

  /** The tokenizer folder (tokenizer.json, tokenizer_config.json), fetched on first use. */
  public static Path ensureTokenizer() {
    return ensure(FetchSpec.tokenizer(), FetchSpec.tokenizer().defaultDir()).dir();
  }

  /** Makes sure {@code dir} holds the spec's files, fetching them with npm from PATH if not. */
  public static Result ensure(FetchSpec spec, Path dir) {
    Path target = dir.toAbsolutePath().normalize();
    if (isComplete(spec, target)) return new Result(spec, target, false, filesIn(spec, target));
    requireFolderOrNothing(target);
    return ensure(spec, target, NpmCommand.fromPath(System.getenv("PATH"), target));
  }

  /** As {@link #ensure(FetchSpec, Path)} with a given way to get the tarball. */
  public static Result ensure(FetchSpec spec, Path dir, Packer packer) {
    Path target = dir.toAbsolutePath().normalize();
    if (isComplete(spec, target)) return new Result(spec, target, false, filesIn(spec, target));
    requireFolderOrNothing(target);
    try {
      Path parent = target.getParent();
      Files.createDirectories(parent);
      Path work = Files.createTempDirectory(parent, "." + target.getFileName() + ".fetch-");
      try {
        Path tarball = packer.pack(spec.packageSpec(), Files.createDirectory(work.resolve("npm")));
        verify(spec, tarball);
        Path staged = Files.createDirectory(work.resolve("files"));
        extract(spec, tarball, staged);
        place(staged, target);
      } finally {
        deleteTree(work);
      }
      return new Result(spec, target, true, filesIn(spec, target));
    } catch (IOException e) {
      throw new UncheckedIOException("fetching " + spec.packageSpec() + " into " + target + ": " + e.getMessage(), e);
    }
  }

  /** Whether the folder holds every file of the spec (non-empty regular files). */
  public static boolean isComplete(FetchSpec spec, Path dir) {
    for (String name : spec.files().values()) {
      Path f = dir.resolve(name);
      try {
        if (!Files.isRegularFile(f) || Files.size(f) == 0) return false;
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  /** Hex sha256 of a file. */
  public static String sha256(Path file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void verify(FetchSpec spec, Path tarball) throws IOException {
    String actual = sha256(tarball);
    if (!actual.equalsIgnoreCase(spec.sha256())) {
      throw new IOException("sha256 mismatch for " + spec.packageSpec() + ": expected " + spec.sha256() + ", got "
          + actual + "; the registry served other bytes than the pinned release, nothing was written");
    }
  }

  /** Copies the spec's entries out of the tarball into {@code staged} under their target names. */
  private static void extract(FetchSpec spec, Path tarball, Path staged) throws IOException {
    Map<String, String> wanted = spec.files();
    List<String> found = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(tarball)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String dest = wanted.get(entry.getName());
        if (dest == null) continue;
        if (!entry.isFile()) throw new IOException(entry.getName() + " in the tarball is not a plain file");
        if (found.contains(entry.getName())) throw new IOException(entry.getName() + " appears twice in the tarball");
        Files.copy(tar, staged.resolve(dest));
        found.add(entry.getName());
      }
    }
    List<String> missing = wanted.keySet().stream().filter(n -> !found.contains(n)).toList();
    if (!missing.isEmpty()) throw new IOException("the tarball lacks " + missing);
  }

  /** Moves the staged files into the target: the whole folder at once when it is new. */
  private static void place(Path staged, Path target) throws IOException {
    if (Files.isDirectory(target)) {
      try {
        Files.delete(target); // only succeeds when empty
      } catch (DirectoryNotEmptyException keep) {
        // keep what else the folder holds: move file by file, each rename atomic
        try (var files = Files.list(staged)) {
          for (Path f : files.toList()) {
            Files.move(f, target.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
          }
        }
        return;
      }
    }
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void requireFolderOrNothing(Path target) {
    UserError.require(
        !Files.exists(target) || Files.isDirectory(target),
        target + " exists and is not a folder: move it away or choose another target folder");
  }

  private static List<Path> filesIn(FetchSpec spec, Path dir) {
    return spec.files().values().stream().map(dir::resolve).toList();
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
