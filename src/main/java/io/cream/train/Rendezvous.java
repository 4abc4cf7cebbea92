package io.cream.train;

import io.cream.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * How the ranks of one machine agree on a communicator id: rank 0 writes it to a file that the
 * launcher named (fresh for each run), atomically (temporary file + rename), and the other ranks
 * poll until the file appears. The file is three text lines:
 *
 * <pre>
 * cream-rendezvous 1
 * world 2
 * id 4f2a…   (the id in hex)
 * </pre>
 *
 * A reader checks the world size, so ranks started with different --devices never join.
 */
public final class Rendezvous {
  static final String MAGIC = "cream-rendezvous 1";
  private static final Duration POLL = Duration.ofMillis(20);

  private Rendezvous() {}

  /** Rank 0: publishes id for a world of {@code world} ranks. */
  public static void publish(Path file, byte[] id, int world) throws IOException {
    if (id.length == 0) throw new IllegalArgumentException("empty id");
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    AtomicFiles.writeString(file, MAGIC + "\nworld " + world + "\nid "
        + HexFormat.of().formatHex(id) + "\n");
  }

  /**
   * Ranks 1…world−1: the id rank 0 published, waiting up to timeout for it.
   *
   * @throws IllegalStateException when the file does not appear in time, is not a rendezvous
   *     file, or was written for another world size
   */
  public static byte[] await(Path file, int world, int rank, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return parse(file, Files.readAllLines(file), world);
      } catch (NoSuchFileException e) {
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException("rank " + rank + " waited " + timeout.toSeconds()
              + " s for rank 0 to publish the NCCL id in " + file + "; rank 0 failed or is stuck"
              + " (see its messages); free the GPUs or raise --rendezvous-timeout");
        }
        Thread.sleep(POLL);
      }
    }
  }

  private static byte[] parse(Path file, List<String> lines, int world) {
    if (lines.size() < 3 || !lines.get(0).equals(MAGIC) || !lines.get(1).startsWith("world ")
        || !lines.get(2).startsWith("id ")) {
      throw new IllegalStateException(file + " is not a rendezvous file of this cream version"
          + " (expected '" + MAGIC + "', world and id lines); give each run a fresh file");
    }
    int written;
    byte[] id;
    try {
      written = Integer.parseInt(lines.get(1).substring(6).strip());
      id = HexFormat.of().parseHex(lines.get(2).substring(3).strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(file + " holds a malformed rendezvous (" + e.getMessage()
          + "); give each run a fresh file");
    }
    if (written != world) {
      throw new IllegalStateException(file + " was written for " + written + " ranks, but this"
          + " rank was started for " + world + "; start every rank with the same --devices");
    }
    if (id.length == 0) throw new IllegalStateException(file + " holds an empty id");
    return id;
  }
}
