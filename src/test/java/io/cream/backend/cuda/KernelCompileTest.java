package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Every kernel file compiles through NVRTC for this GPU and loads as a module. */
@Tag("gpu")
class KernelCompileTest {
  static final java.util.List<String> FILES = KernelLibrary.FILES;

  @ParameterizedTest(name = "{0}.cu")
  @FieldSource("FILES")
  void compilesAndLoads(String file) {
    try (CudaBackend be = CudaTests.backend()) {
      CudaContext ctx = CudaContext.open(0);
      byte[] image = ctx.kernels.image(file);
      assertTrue(image.length > 0, file + ": empty image");
      ctx.makeCurrent();
      ctx.driver.loadModule(java.lang.foreign.Arena.ofAuto().allocateFrom(
          java.lang.foreign.ValueLayout.JAVA_BYTE, java.util.Arrays.copyOf(image, image.length + 1)));
    }
  }
}
