package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cubin cache: where it lives, what its key covers, and that it compiles once. */
class KernelCacheTest {
  @Test
  void folderFromEnvironmentOrHome() {
    assertEquals(Path.of("/scratch/c/cubin"),
        KernelCache.directory(Map.of(KernelCache.CACHE_VARIABLE, "/scratch/c"), "/home/u"));
    assertEquals(Path.of("/home/u/.cache/cream/cubin"), KernelCache.directory(Map.of(), "/home/u"));
  }

  @Test
  void keyChangesWithSourceArchitectureVersionAndOptions() {
    String k = KernelCache.key("src", "sm_90", "13.0", List.of("--std=c++17"));
    assertEquals(k, KernelCache.key("src", "sm_90", "13.0", List.of("--std=c++17")));
    assertNotEquals(k, KernelCache.key("src ", "sm_90", "13.0", List.of("--std=c++17")));
    assertNotEquals(k, KernelCache.key("src", "sm_80", "13.0", List.of("--std=c++17")));
    assertNotEquals(k, KernelCache.key("src", "sm_90", "12.9", List.of("--std=c++17")));
    assertNotEquals(k, KernelCache.key("src", "sm_90", "13.0", List.of()));
    // Field boundaries count: moving text from one input to the next is another key.
    assertNotEquals(KernelCache.key("ab", "c", "1", List.of()), KernelCache.key("a", "bc", "1", List.of()));
  }

  @Test
  void compilesOnceThenReadsTheFile(@TempDir Path tmp) throws Exception {
    KernelCache cache = new KernelCache(tmp.resolve("cubin"));
    AtomicInteger compiles = new AtomicInteger();
    byte[] image = {1, 2, 3, 42};
    byte[] first = cache.load("norm", "sm_90", "abc", () -> {
      compiles.incrementAndGet();
      return image.clone();
    });
    byte[] second = cache.load("norm", "sm_90", "abc", () -> {
      compiles.incrementAndGet();
      return new byte[] {9};
    });
    assertArrayEquals(image, first);
    assertArrayEquals(image, second);
    assertEquals(1, compiles.get());
    assertTrue(Files.isRegularFile(cache.file("norm", "sm_90", "abc")));
    assertTrue(cache.file("x", "compute_90", "k").toString().endsWith(".ptx"));
  }

  @Test
  void unwritableCacheStillCompiles(@TempDir Path tmp) throws Exception {
    Path blocker = tmp.resolve("file");
    Files.writeString(blocker, "not a folder");
    KernelCache cache = new KernelCache(blocker.resolve("cubin"));
    assertArrayEquals(new byte[] {5}, cache.load("rope", "sm_90", "k", () -> new byte[] {5}));
  }
}
