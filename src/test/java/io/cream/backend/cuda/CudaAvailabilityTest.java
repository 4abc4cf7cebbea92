package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Probing for CUDA never throws, and without a GPU the constructor fails with a clear reason. */
class CudaAvailabilityTest {
  @Test
  void probeIsStableAndExplainsItself() {
    boolean first = CudaBackend.isAvailable();
    assertEquals(first, CudaBackend.isAvailable());
    if (first) {
      assertEquals("", CudaBackend.unavailableReason());
    } else {
      assertFalse(CudaBackend.unavailableReason().isBlank());
      CudaException e = assertThrows(CudaException.class, CudaBackend::new);
      assertFalse(e.getMessage().isBlank());
    }
  }
}
