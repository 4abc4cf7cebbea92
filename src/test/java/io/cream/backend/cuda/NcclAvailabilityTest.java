package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Without NCCL, or without NCCL_NVLS_ENABLE=0, NCCL is refused with a clear message (no GPU needed). */
class NcclAvailabilityTest {
  @Test
  void nvlinkMulticastMustBeOffExplicitly() {
    CudaException unset = assertThrows(CudaException.class, () -> Nccl.requireNvlsOff(Map.of()));
    assertTrue(unset.getMessage().contains("NCCL_NVLS_ENABLE=0"), unset.getMessage());
    assertTrue(unset.getMessage().contains("unset"), unset.getMessage());
    CudaException on = assertThrows(CudaException.class,
        () -> Nccl.requireNvlsOff(Map.of("NCCL_NVLS_ENABLE", "1")));
    assertTrue(on.getMessage().contains("'1'"), on.getMessage());
    assertThrows(CudaException.class, () -> Nccl.requireNvlsOff(Map.of("NCCL_NVLS_ENABLE", "")));
    assertDoesNotThrow(() -> Nccl.requireNvlsOff(Map.of("NCCL_NVLS_ENABLE", "0")));
  }

  @Test
  void probeExplainsAMissingLibraryOrGivesTheVersion() {
    boolean available = NcclCommunicator.isAvailable();
    assertEquals(available, NcclCommunicator.isAvailable(), "the answer is stable");
    if (available) {
      assertEquals("", NcclCommunicator.unavailableReason());
      assertTrue(NcclCommunicator.version().matches("\\d+\\.\\d+\\.\\d+"), NcclCommunicator.version());
    } else {
      String why = NcclCommunicator.unavailableReason();
      assertTrue(why.contains("libnccl.so.2"), why);
      assertTrue(why.contains(NativeLibraries.LIB_DIR_VARIABLE), why);
      CudaException e = assertThrows(CudaException.class, () -> Nccl.get());
      assertEquals(why, e.getMessage());
    }
  }

  @Test
  void noIdIsMadeWhileMulticastMayBeOn() {
    assumeFalse("0".equals(System.getenv("NCCL_NVLS_ENABLE")), "NCCL_NVLS_ENABLE=0 is set here");
    CudaException e = assertThrows(CudaException.class, NcclCommunicator::newUniqueId);
    assertTrue(e.getMessage().contains("NCCL_NVLS_ENABLE"), e.getMessage());
  }
}
