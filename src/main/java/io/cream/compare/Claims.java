package io.cream.compare;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Claims on units of work, shared by every process working in one output folder: an exclusive OS
 * file lock on {@code locks/NAME.lock} (FileChannel.tryLock). The operating system drops a lock
 * when its process ends, however it ends, so a killed process leaves no stale claim: the next
 * process to try takes the unit over.
 *
 * <p>Lock files are never deleted: deleting one while another process waits to lock it would let
 * two processes lock two different files of the same name.
 *
 * <p>Within one JVM, POSIX locks belong to the process, and closing any channel on a file drops
 * every lock the process holds on it. So a JVM-wide set records the lock files held here, and a
 * claim held by another owner in this JVM (another thread's scheduler, in tests) is refused
 * without opening a second channel on its file.
 */
public final class Claims {
  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();
  private final Path dir;

  public Claims(Path lockDir) {
    this.dir = lockDir.toAbsolutePath().normalize();
  }

  /** A held claim; closing it releases the lock (the lock file stays). */
  public static final class Claim implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private Claim(Path file, FileChannel channel, FileLock lock) {
      this.file = file;
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public synchronized void close() {
      if (released) return;
      released = true;
      try {
        channel.truncate(0); // the "pid ... since" note is only true while held
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot release " + file, e);
      } finally {
        HELD_IN_THIS_JVM.remove(file);
      }
    }
  }

  /** Claims {@code name} if nobody holds it, else returns empty at once. */
  public Optional<Claim> tryClaim(String name) {
    Path file = dir.resolve(name + ".lock");
    if (!HELD_IN_THIS_JVM.add(file)) return Optional.empty();
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        HELD_IN_THIS_JVM.remove(file);
        return Optional.empty();
      }
      // Who holds it, for a person looking at the folder (the lock, not this text, is the claim).
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since "
          + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n").getBytes(StandardCharsets.UTF_8)));
      return Optional.of(new Claim(file, channel, lock));
    } catch (IOException | RuntimeException e) {
      try {
        if (channel != null) channel.close();
      } catch (IOException ignored) {
        // Closing a channel we failed to lock through: nothing is held.
      }
      HELD_IN_THIS_JVM.remove(file);
      if (e instanceof OverlappingFileLockException) return Optional.empty();
      if (e instanceof IOException io) throw new UncheckedIOException("cannot lock " + file, io);
      throw (RuntimeException) e;
    }
  }

  /** Claims {@code name}, waiting (polling every {@code poll}) while another owner holds it. */
  public Claim await(String name, Duration poll) {
    while (true) {
      Optional<Claim> c = tryClaim(name);
      if (c.isPresent()) return c.get();
      sleep(poll);
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for another process", e);
    }
  }
}
