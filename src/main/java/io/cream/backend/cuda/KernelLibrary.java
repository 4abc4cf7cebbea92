package io.cream.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernels of this backend: .cu resources under io/cream/backend/cuda/, each prefixed with
 * common.cuh, compiled by NVRTC for the device's architecture on first use (through
 * {@link KernelCache}) and loaded as one module per file.
 */
final class KernelLibrary {
  /** Every kernel file; a test compiles them all. */
  static final List<String> FILES = List.of("elementwise", "reduce", "optimizer", "norm",
      "embedding", "rope", "logits", "attention_fwd", "attention_bwd", "attention_tc",
      "attention_bf16");
  static final List<String> OPTIONS = List.of("--std=c++17");
  private static final String RESOURCE_DIR = "/io/cream/backend/cuda/";

  private final CudaContext context;
  private final KernelCache cache;
  private final Map<String, MemorySegment> modules = new HashMap<>();
  private final Map<String, Kernel> kernels = new HashMap<>();

  KernelLibrary(CudaContext context, KernelCache cache) {
    this.context = context;
    this.cache = cache;
  }

  /** The source NVRTC compiles for a file: common.cuh followed by the file's text. */
  static String source(String file) {
    return resource("common.cuh") + "\n// ---- " + file + ".cu ----\n" + resource(file + ".cu");
  }

  private static String resource(String name) {
    try (InputStream in = KernelLibrary.class.getResourceAsStream(RESOURCE_DIR + name)) {
      if (in == null) throw new IllegalStateException("kernel source " + name + " is missing");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read kernel source " + name, e);
    }
  }

  /** The compiled image of a file for this device (from the cache or NVRTC). */
  byte[] image(String file) {
    String src = source(file);
    Nvrtc nvrtc = context.nvrtc;
    String key = KernelCache.key(src, context.arch, nvrtc.version(), OPTIONS);
    return cache.load(file, context.arch, key,
        () -> nvrtc.compile(src, file + ".cu", context.arch, OPTIONS));
  }

  /** The kernel function in file; compiles and loads the file's module on first use. */
  synchronized Kernel get(String file, String function) {
    String id = file + "/" + function;
    Kernel k = kernels.get(id);
    if (k != null) return k;
    context.makeCurrent();
    MemorySegment module = modules.get(file);
    if (module == null) {
      byte[] image = image(file);
      try (Arena a = Arena.ofConfined()) {
        MemorySegment native_ = a.allocate(image.length + 1L);
        MemorySegment.copy(image, 0, native_, ValueLayout.JAVA_BYTE, 0, image.length);
        module = context.driver.loadModule(native_);
      }
      modules.put(file, module);
    }
    k = new Kernel(function, context.driver.function(module, function), context);
    kernels.put(id, k);
    return k;
  }
}
