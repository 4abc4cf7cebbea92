package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library search order and soname fallbacks (no GPU needed). */
class NativeLibrariesTest {
  @Test
  void overrideComesFirstThenLdLibraryPathThenSystemFolders() {
    List<Path> dirs = NativeLibraries.searchDirs(Map.of(
        NativeLibraries.LIB_DIR_VARIABLE, "/opt/mine",
        "LD_LIBRARY_PATH", "/a/lib::/b/lib:/opt/mine"));
    assertEquals(Path.of("/opt/mine"), dirs.get(0));
    assertEquals(Path.of("/a/lib"), dirs.get(1));
    assertEquals(Path.of("/b/lib"), dirs.get(2));
    assertEquals(Path.of("/usr/local/cuda/lib64"), dirs.get(3));
    assertEquals(dirs.size(), dirs.stream().distinct().count(), "no folder twice");
    assertTrue(dirs.contains(Path.of("/usr/lib/x86_64-linux-gnu")));
    assertTrue(dirs.contains(Path.of("/usr/lib")));
  }

  @Test
  void findsTheFirstFolderHoldingAnyOfTheNames(@TempDir Path tmp) throws Exception {
    Path first = Files.createDirectories(tmp.resolve("first"));
    Path second = Files.createDirectories(tmp.resolve("second"));
    Files.writeString(second.resolve("libnvrtc.so.13"), "x");
    Files.writeString(first.resolve("libnvrtc.so.12"), "x");
    Optional<Path> found = NativeLibraries.find(NativeLibraries.NVRTC, List.of(first, second));
    // The earlier folder wins even with an older soname: the override must take precedence.
    assertEquals(Optional.of(first.resolve("libnvrtc.so.12")), found);
    assertEquals(Optional.empty(),
        NativeLibraries.find(List.of("libcublas.so.13"), List.of(first, second)));
  }

  @Test
  void missingLibraryNamesTheOverrideVariable() {
    CudaException e = org.junit.jupiter.api.Assertions.assertThrows(CudaException.class,
        () -> NativeLibraries.load("a test library", List.of("libcream-does-not-exist.so.7")));
    assertTrue(e.getMessage().contains(NativeLibraries.LIB_DIR_VARIABLE), e.getMessage());
    assertTrue(e.getMessage().contains("libcream-does-not-exist.so.7"), e.getMessage());
  }
}
