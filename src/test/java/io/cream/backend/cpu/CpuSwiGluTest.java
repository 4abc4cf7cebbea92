package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.SwiGluOpTest;

class CpuSwiGluTest extends SwiGluOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
