package io.cream.backend.cpu;

import io.cream.backend.AttentionOpTest;
import io.cream.backend.Backend;

class CpuAttentionTest extends AttentionOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
