package io.cream.backend.cuda;

import io.cream.backend.Backend;
import io.cream.backend.LinearOpTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/** The shared Linear op tests against the float64 reference, on the GPU (float32 tolerance). */
@Tag("gpu")
class CudaLinearTest extends LinearOpTest {
  @Override
  protected Backend backend() {
    return CudaTests.backend();
  }

  @AfterEach
  void closeBackend() {
    if (be != null) be.close();
  }
}
