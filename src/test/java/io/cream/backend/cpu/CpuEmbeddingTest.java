package io.cream.backend.cpu;

import io.cream.backend.Backend;
import io.cream.backend.EmbeddingOpTest;

class CpuEmbeddingTest extends EmbeddingOpTest {
  @Override
  protected Backend backend() {
    return new CpuBackend();
  }
}
