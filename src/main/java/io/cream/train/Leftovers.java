package io.cream.train;

import io.cream.util.AtomicFiles;
import io.cream.util.Bytes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What killed saves leave in an output folder: checkpoint folders still under their temporary
 * name ({@code checkpoints/.tmp-step-N-DIGITS}) and {@link AtomicFiles} temporaries
 * ({@code .NAME.DIGITS.tmp}) in OUT, in checkpoints/ and in its step folders. Only names of those
 * two patterns are touched, and only while the run lock is held (no save of ours runs then).
 */
final class Leftovers {
  private Leftovers() {}

  /** What a clean-up removed. */
  record Removed(int entries, long bytes) {
    String describe() {
      return Bytes.format(bytes) + " in " + entries + " file(s) or folder(s)";
    }
  }

  /** Removes the leftovers under {@code out}. */
  static Removed clean(Path out) throws IOException {
    List<Path> found = new ArrayList<>(atomicTemps(out));
    Path checkpoints = out.resolve("checkpoints");
    for (Path p : list(checkpoints)) {
      String name = p.getFileName().toString();
      if (Checkpoints.isTemp(name)) found.add(p);
      else if (AtomicFiles.isTemp(name)) found.add(p);
      else if (Checkpoints.isStep(name)) found.addAll(atomicTemps(p));
    }
    long bytes = 0;
    for (Path p : found) {
      bytes += size(p);
      Checkpoints.deleteTree(p);
    }
    return new Removed(found.size(), bytes);
  }

  private static List<Path> atomicTemps(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path p : list(dir)) {
      if (AtomicFiles.isTemp(p.getFileName().toString()) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        out.add(p);
      }
    }
    return out;
  }

  private static List<Path> list(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  /** Bytes of a file or of the files in a folder; links count as nothing (never followed). */
  private static long size(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      long sum = 0;
      for (Path q : s.toList()) {
        BasicFileAttributes a = Files.readAttributes(q, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isRegularFile()) sum += a.size();
      }
      return sum;
    }
  }
}
