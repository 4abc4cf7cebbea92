package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel sources without a GPU: each is self-contained (no #include, which NVRTC could not
 * resolve), and where a CUDA toolkit is installed nvcc compiles all of them for sm_90 in one pass
 * with no register spills. (On a GPU machine, KernelCompileTest compiles them through NVRTC.)
 */
class KernelSourcesTest {
  @Test
  void sourcesAreSelfContained() {
    for (String file : KernelLibrary.FILES) {
      String src = KernelLibrary.source(file);
      assertFalse(src.contains("#include"), file + ".cu includes a header NVRTC cannot see");
      assertTrue(src.contains("extern \"C\" __global__"), file + ".cu defines no kernel");
    }
  }

  @Test
  void headersArePastedOncePerSource() {
    // attention_bf16_bwd.cu includes attention_bf16_tiles.cuh, which includes attention_tiles.cuh
    String src = KernelLibrary.source("attention_bf16_bwd");
    for (String header : new String[] {"attention_tiles.cuh", "attention_bf16_tiles.cuh"}) {
      assertEquals(1, src.split("// ---- " + header + " ----", -1).length - 1, header);
      String guard = "#define " + header.replace(".cuh", "_CUH").toUpperCase();
      assertEquals(1, src.split(guard, -1).length - 1, guard);
    }
    assertTrue(src.indexOf("#define TILE_THREADS") < src.indexOf("#define BF_THREADS"),
        "attention_tiles.cuh is pasted where attention_bf16_tiles.cuh includes it");
  }

  @Test
  void nvccCompilesEveryKernelWithoutSpills(@TempDir Path tmp) throws Exception {
    Path nvcc = Path.of(System.getenv().getOrDefault("CUDA_HOME", "/usr/local/cuda"), "bin", "nvcc");
    assumeTrue(Files.isExecutable(nvcc), "no nvcc at " + nvcc);
    // One translation unit: the shared prelude once, then every file's kernels.
    StringBuilder all = new StringBuilder(KernelLibrary.source(KernelLibrary.FILES.get(0)));
    for (String file : KernelLibrary.FILES.subList(1, KernelLibrary.FILES.size())) {
      String src = KernelLibrary.source(file);
      all.append(src, src.indexOf("// ---- " + file + ".cu ----"), src.length());
    }
    Path cu = tmp.resolve("all.cu");
    Files.writeString(cu, all, StandardCharsets.UTF_8);
    List<String> cmd = new ArrayList<>(List.of(nvcc.toString(), "-arch=sm_90", "-cubin",
        "-Xptxas", "-v", "-o", tmp.resolve("all.cubin").toString(), cu.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc took over two minutes");
    assertEquals(0, p.exitValue(), "nvcc failed:\n" + log);
    assertFalse(log.contains("warning"), "nvcc warned:\n" + log);
    for (String line : log.split("\n")) {
      if (line.contains("spill")) {
        assertTrue(line.contains("0 bytes spill stores, 0 bytes spill loads"), line);
      }
    }
  }
}
