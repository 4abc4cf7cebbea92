package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.NormOpTest;

class CpuNormTest extends NormOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
