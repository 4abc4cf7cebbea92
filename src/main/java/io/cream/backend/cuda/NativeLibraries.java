package io.cream.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the CUDA shared libraries. Sonames differ between CUDA releases and installs (a toolkit,
 * a driver package, pip wheels), so each library is searched under several names in the folder of
 * {@code CREAM_CUDA_LIB_DIR}, then the folders of {@code LD_LIBRARY_PATH}, then the usual system
 * folders, and finally by soname through the dynamic loader's own search. Libraries are opened
 * once, in the global arena, and stay loaded for the life of the process.
 */
final class NativeLibraries {
  /** The environment variable naming a folder that is searched before every other. */
  static final String LIB_DIR_VARIABLE = "CREAM_CUDA_LIB_DIR";

  static final List<String> DRIVER = List.of("libcuda.so.1", "libcuda.so");
  static final List<String> NVRTC = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");
  static final List<String> CUBLAS = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so");
  static final List<String> CUBLAS_LT =
      List.of("libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so");

  private static final List<String> SYSTEM_DIRS = List.of("/usr/local/cuda/lib64",
      "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib");

  private NativeLibraries() {}

  /** A library that was found: where, and its symbols. */
  record Loaded(String where, SymbolLookup symbols) {}

  /** The folders searched, in order, for the given environment. */
  static List<Path> searchDirs(Map<String, String> env) {
    Set<String> dirs = new LinkedHashSet<>();
    String override = env.get(LIB_DIR_VARIABLE);
    if (override != null && !override.isBlank()) dirs.add(override.trim());
    String ld = env.get("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String d : ld.split(":")) if (!d.isBlank()) dirs.add(d.trim());
    }
    dirs.addAll(SYSTEM_DIRS);
    List<Path> out = new ArrayList<>();
    for (String d : dirs) out.add(Path.of(d));
    return out;
  }

  /** The first existing file among names × dirs (each folder tried with every name first). */
  static Optional<Path> find(List<String> names, List<Path> dirs) {
    for (Path dir : dirs) {
      for (String name : names) {
        Path p = dir.resolve(name);
        if (Files.isRegularFile(p)) return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Opens the first of names that loads, searching files first, then the loader by soname.
   *
   * @throws CudaException naming the library and where it was looked for, when none loads
   */
  static Loaded load(String what, List<String> names) {
    return load(what, names, null);
  }

  /**
   * The same, searching the folder named by the environment variable firstDirVariable (when set)
   * before all others: a library that lives outside the CUDA folders, such as a pip wheel's.
   */
  static Loaded load(String what, List<String> names, String firstDirVariable) {
    List<Path> dirs = new ArrayList<>();
    String first = firstDirVariable == null ? null : System.getenv(firstDirVariable);
    if (first != null && !first.isBlank()) dirs.add(Path.of(first.trim()));
    dirs.addAll(searchDirs(System.getenv()));
    List<String> failures = new ArrayList<>();
    Optional<Path> file = find(names, dirs);
    if (file.isPresent()) {
      try {
        return new Loaded(file.get().toString(),
            SymbolLookup.libraryLookup(file.get(), Arena.global()));
      } catch (IllegalArgumentException e) {
        failures.add(file.get() + ": " + e.getMessage());
      }
    }
    for (String name : names) {
      try {
        return new Loaded(name, SymbolLookup.libraryLookup(name, Arena.global()));
      } catch (IllegalArgumentException e) {
        failures.add(name + ": not found by the dynamic loader");
      }
    }
    throw new CudaException("cannot load " + what + " (tried " + names + " in " + dirs
        + " and through the dynamic loader; " + String.join("; ", failures)
        + "); set " + (firstDirVariable != null ? firstDirVariable : LIB_DIR_VARIABLE)
        + " to the folder that holds it");
  }
}
