package io.cream.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernels of this backend: .cu resources under io/cream/backend/cuda/, each prefixed with
 * common.cuh, compiled by NVRTC for the device's architecture on first use (through
 * {@link KernelCache}) and loaded as one module per file. A file may share device code through
 * lines {@code #include "name.cuh"} naming another resource: the loader pastes the header's text
 * there (NVRTC is given no files), once per source.
 */
final class KernelLibrary {
  /** Every kernel file; a test compiles them all. */
  static final List<String> FILES = List.of("elementwise", "reduce", "optimizer", "norm",
      "embedding", "rope", "logits", "attention_fwd", "attention_bwd", "attention_tc",
      "attention_bf16_fwd", "attention_bf16_bwd");
  static final List<String> OPTIONS = List.of("--std=c++17");
  private static final String RESOURCE_DIR = "/io/cream/backend/cuda/";
  private static final Pattern INCLUDE =
      Pattern.compile("^#include \"([A-Za-z0-9_]+\\.cuh)\"[ \t]*$", Pattern.MULTILINE);

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
    return resource("common.cuh") + "\n// ---- " + file + ".cu ----\n"
        + withHeaders(resource(file + ".cu"), new HashSet<>());
  }

  /** text with each #include line replaced by the header's text (a note if pasted before). */
  private static String withHeaders(String text, Set<String> pasted) {
    Matcher m = INCLUDE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String header = m.group(1);
      String replacement = pasted.add(header)
          ? "// ---- " + header + " ----\n" + withHeaders(resource(header), pasted)
          : "// (" + header + " above)";
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
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
