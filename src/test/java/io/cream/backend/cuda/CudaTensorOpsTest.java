package io.cream.backend.cuda;

import io.cream.backend.Backend;
import io.cream.backend.TensorOpsTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/** The shared tensor-management and elementwise tests, on the GPU (float32 tolerance). */
@Tag("gpu")
class CudaTensorOpsTest extends TensorOpsTest {
  @Override
  protected Backend backend() {
    return CudaTests.backend();
  }

  @AfterEach
  void closeBackend() {
    if (be != null) be.close();
  }
}
