package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.TensorOpsTest;

class CpuTensorOpsTest extends TensorOpsTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
