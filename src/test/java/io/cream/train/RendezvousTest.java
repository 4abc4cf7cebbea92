package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rendezvous file: rank 0 publishes atomically, the others wait for it or time out clearly. */
class RendezvousTest {
  @TempDir Path tmp;

  private static byte[] randomId(long seed) {
    byte[] id = new byte[128];
    new SplittableRandom(seed).nextBytes(id);
    return id;
  }

  @Test
  void waitingRanksReceiveTheIdPublishedLater() throws Exception {
    Path file = tmp.resolve("run/nccl-id");
    byte[] id = randomId(3);
    List<CompletableFuture<byte[]>> waiting = List.of(1, 2, 3).stream()
        .map(rank -> CompletableFuture.supplyAsync(() -> {
          try {
            return Rendezvous.await(file, 4, rank, Duration.ofSeconds(20));
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        }))
        .toList();
    Thread.sleep(150); // the waiters poll a file that does not exist yet
    assertTrue(waiting.stream().noneMatch(CompletableFuture::isDone));
    Rendezvous.publish(file, id, 4);
    for (CompletableFuture<byte[]> w : waiting) assertArrayEquals(id, w.get(20, TimeUnit.SECONDS));
    try (Stream<Path> s = Files.list(file.getParent())) {
      assertEquals(List.of(file), s.toList(), "only the file itself, no temporary left behind");
    }
  }

  @Test
  void timeoutNamesTheFileAndRankZero() {
    Path file = tmp.resolve("never");
    long t0 = System.nanoTime();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Rendezvous.await(file, 2, 1, Duration.ofMillis(200)));
    assertTrue((System.nanoTime() - t0) / 1e6 >= 190, "waited the whole timeout");
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("rank 1") && e.getMessage().contains("rank 0"), e.getMessage());
  }

  @Test
  void aFileForAnotherWorldSizeIsRefused() throws Exception {
    Path file = tmp.resolve("id");
    Rendezvous.publish(file, randomId(5), 2);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Rendezvous.await(file, 4, 3, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("2 ranks") && e.getMessage().contains("4"), e.getMessage());
  }

  @Test
  void aFileThatIsNoRendezvousIsRefused() throws Exception {
    Path file = tmp.resolve("junk");
    Files.writeString(file, "hello\nworld 2\nid 00\n");
    assertThrows(IllegalStateException.class, () -> Rendezvous.await(file, 2, 1, Duration.ofSeconds(1)));
    Files.writeString(file, Rendezvous.MAGIC + "\nworld 2\nid zz\n");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Rendezvous.await(file, 2, 1, Duration.ofSeconds(1)));
    assertTrue(e.getMessage().contains("malformed"), e.getMessage());
  }

  @Test
  void republishingReplacesTheIdWhole() throws Exception {
    Path file = tmp.resolve("id");
    Rendezvous.publish(file, randomId(1), 3);
    byte[] second = randomId(2);
    Rendezvous.publish(file, second, 3);
    assertArrayEquals(second, Rendezvous.await(file, 3, 2, Duration.ofSeconds(1)));
  }
}
