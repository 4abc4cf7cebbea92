package io.cream.cli;

/** Vendor peak rates used for MFU. */
final class BenchPeaks {
  private BenchPeaks() {}

  /**
   * Dense bf16 tensor-core peak in TFLOP/s by card name: 989.4 for H100 SXM and H200 (NVIDIA's
   * datasheets, without sparsity); NaN when unknown (then no MFU is printed).
   */
  static double bf16DenseTflops(String card) {
    if (card.contains("H100") && card.contains("PCIe")) return 756.0;
    if (card.contains("H100") || card.contains("H200")) return 989.4;
    return Double.NaN;
  }
}
