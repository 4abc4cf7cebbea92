package io.cream.train;

import io.cream.util.UserError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One training run per output folder: an operating-system lock on {@code OUT/.cream-run.lock},
 * held from before the folder is inspected until the run ends, and released by the OS when the
 * process dies (so a killed run never leaves a stale lock). The file holds the holder's process id
 * and start time, which a refused second run prints. The file itself stays (deleting a lock file
 * is a race of its own).
 *
 * <p>File locks belong to the whole JVM, and on Linux closing any channel on the file drops them:
 * so a second attempt from this same process is answered from {@link #HELD} without opening the
 * file again.
 */
public final class RunLock implements AutoCloseable {
  public static final String FILE = ".cream-run.lock";
  private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /** Takes the folder (creating it), or refuses with one line naming it and the run holding it. */
  public static RunLock acquire(Path out) {
    Path key = folder(out);
    String me = "pid " + ProcessHandle.current().pid() + ", started "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String other = HELD.putIfAbsent(key, me);
    if (other != null) throw busy(out, other + ", in this process");
    Path file = key.resolve(FILE);
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // Held in this JVM under another spelling of the path (a link): closing this channel
        // would drop that lock too, so it is left open.
        HELD.remove(key);
        throw busy(out, "in this process");
      }
      if (lock == null) {
        String holder = holder(channel);
        close(channel); // this process holds no lock on the file: closing drops nothing
        HELD.remove(key);
        throw busy(out, holder);
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap((me + "\n").getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      return new RunLock(key, channel, lock);
    } catch (IOException e) {
      close(channel);
      HELD.remove(key);
      throw new UserError("cannot lock " + file + " (" + reason(e) + "); --out must be a"
          + " writable folder on a local file system");
    }
  }

  /** The --out folder, created and resolved to one canonical path; a UserError when it cannot be. */
  private static Path folder(Path out) {
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw new UserError("--out " + out + " is a file, not a folder; choose a folder");
    }
    try {
      Files.createDirectories(out);
      return out.toRealPath();
    } catch (IOException | SecurityException e) {
      throw new UserError("cannot create the --out folder " + out + " (" + reason(e)
          + "); choose a writable folder");
    }
  }

  private static UserError busy(Path out, String holder) {
    return new UserError(out + " is in use by another training run (" + holder + "); wait for it"
        + " to end, or choose another --out");
  }

  /** What the holding run wrote into the lock file, or a plain phrase when it has not yet. */
  private static String holder(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(256);
    channel.read(buf, 0);
    String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "another process" : text;
  }

  private static String reason(Exception e) {
    String name = e.getClass().getSimpleName();
    return e.getMessage() == null ? name : name.replace("Exception", "") + ": " + e.getMessage();
  }

  private static void close(FileChannel channel) {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing held: closing only releases the descriptor
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // the channel's close below releases it too
    }
    close(channel);
    HELD.remove(key);
  }
}
