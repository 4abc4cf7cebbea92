package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.LinearOpTest;

class CpuLinearTest extends LinearOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
