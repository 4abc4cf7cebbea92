package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.LogitsOpTest;

class CpuLogitsTest extends LogitsOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
