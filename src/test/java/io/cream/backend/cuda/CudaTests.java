package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Shared by the GPU tests: a backend when a GPU is present, else the test is skipped. */
final class CudaTests {
  private CudaTests() {}

  /** A new backend on GPU 0; skips the calling test where CUDA is unavailable (CI). */
  static CudaBackend backend() {
    assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA: " + CudaBackend.unavailableReason());
    return new CudaBackend(0);
  }
}
