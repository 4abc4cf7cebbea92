package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.ClipAndAdamWOpTest;

class CpuClipAndAdamWTest extends ClipAndAdamWOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
