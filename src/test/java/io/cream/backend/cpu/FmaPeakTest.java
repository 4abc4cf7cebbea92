package io.cream.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FmaPeakTest {
  @Test
  void measuredPeakIsAPlausibleRate() {
    double gflops = FmaPeak.measure(1, 20, 2);
    // Any machine that runs this does more than 0.1 and fewer than 10^5 GFLOP/s on one thread.
    assertTrue(gflops > 0.1 && gflops < 1e5, "measured " + gflops);
  }

  @Test
  void theoreticalPeakMultipliesItsFactors() {
    assertEquals(2 * 2 * 16 * 2 * 2.6, FmaPeak.theoretical(2, 2, 16, 2.6), 1e-9);
  }

  @Test
  void cpuInfoNamesTheProcessorCount() {
    CpuInfo cpu = CpuInfo.read();
    assertEquals(Runtime.getRuntime().availableProcessors(), cpu.logicalCpus());
    assertFalse(cpu.model().isBlank());
  }
}
