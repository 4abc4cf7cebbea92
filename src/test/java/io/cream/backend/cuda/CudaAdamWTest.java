package io.cream.backend.cuda;

import io.cream.backend.AdamWOpTest;
import io.cream.backend.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;

/** The shared AdamW op tests against the float64 reference, on the GPU (float32 tolerance). */
@Tag("gpu")
class CudaAdamWTest extends AdamWOpTest {
  @Override
  protected Backend backend() {
    return CudaTests.backend();
  }

  @AfterEach
  void closeBackend() {
    if (be != null) be.close();
  }
}
