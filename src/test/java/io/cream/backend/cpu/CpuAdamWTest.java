package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.AdamWOpTest;

class CpuAdamWTest extends AdamWOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
