package io.cream.testutil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** Checksums of written files, to compare what a writer produces with what it produced before. */
public final class FileDigest {
  private FileDigest() {}

  /**
   * "N file(s) SHA" where SHA is SHA-256 over (file name, NUL, file bytes) of each file of the
   * folder whose name starts with {@code prefix}, in name order.
   */
  public static String of(Path dir, String prefix) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
    }
    for (Path p : files) {
      sha.update((p.getFileName() + "\0").getBytes(StandardCharsets.UTF_8));
      sha.update(Files.readAllBytes(p));
    }
    return files.size() + " file(s) " + HexFormat.of().formatHex(sha.digest());
  }
}
