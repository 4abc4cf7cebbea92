package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.RopeOpTest;

class CpuRopeTest extends RopeOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
