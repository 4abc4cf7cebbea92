package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cream.backend.Tensor;
import io.cream.backend.TestData;
import io.cream.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The device-only embedding backward (sort-free, one block per group of table rows) against the
 * CPU backend, bit for bit (the same additions in the same order), and twice on the GPU with
 * identical bits. Ids follow a skewed law, so a few rows receive hundreds of gradients, with
 * id 0 and the last row present; the table starts non-zero (the backward accumulates).
 */
@Tag("gpu")
class CudaEmbeddingBackwardTest {
  private CudaBackend gpu;
  private final CpuBackend cpu = new CpuBackend();

  @BeforeEach
  void setUp() {
    gpu = CudaTests.backend();
  }

  @AfterEach
  void tearDown() {
    if (gpu != null) gpu.close();
  }

  /** n ids in [0, vocab): half from a few hot rows, half uniform; the first and last row too. */
  private static int[] skewedIds(long seed, int n, int vocab) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextBoolean() ? r.nextInt(Math.min(vocab, 5)) * (vocab / 5) : r.nextInt(vocab);
    }
    ids[0] = 0;
    ids[n - 1] = vocab - 1;
    return ids;
  }

  @ParameterizedTest(name = "vocab {0}, cols {1}, rows {2}")
  @CsvSource({
      "32000, 2048, 5000", // TinyLlama's table: 16-byte accesses
      "1000, 577, 700", // odd width: one float at a time
      "3, 64, 1025", // fewer table rows than groups, ids repeat ~340 times
      "50000, 12, 257"})
  void matchesCpuBitForBitAndRepeats(int vocab, int cols, int n) {
    int[] ids = skewedIds(vocab * 31L + n, n, vocab);
    float[] table0 = TestData.toFloat(TestData.gaussian(vocab + cols, vocab * cols, 1));
    float[] dOut = TestData.toFloat(TestData.gaussian(n + 7L * cols, n * cols, 1));
    Tensor dOutCpu = cpu.upload(dOut, n, cols), tableCpu = cpu.upload(table0, vocab, cols);
    cpu.embeddingBackward(dOutCpu, ids, tableCpu);
    float[] want = cpu.download(tableCpu);
    Tensor dOutGpu = gpu.upload(dOut, n, cols);
    for (int run = 0; run < 2; run++) {
      Tensor tableGpu = gpu.upload(table0, vocab, cols);
      gpu.embeddingBackward(dOutGpu, ids, tableGpu);
      assertArrayEquals(want, gpu.download(tableGpu), "run " + run + " differs from the CPU");
      tableGpu.close();
    }
    GpuReport.record("embedding backward " + vocab + "×" + cols + ", " + n + " rows (exact)", 0, 0);
  }

  @ParameterizedTest(name = "dOut rows from {0}")
  @CsvSource({"1", "3"})
  void dOutAsAnUnalignedRowView(int first) {
    int vocab = 300, cols = 257, n = 400; // odd width: row `first` starts off a 16-byte boundary
    int[] ids = skewedIds(first, n, vocab);
    float[] table0 = TestData.toFloat(TestData.gaussian(first + 12L, vocab * cols, 1));
    float[] src = TestData.toFloat(TestData.gaussian(first + 13L, (n + 4) * cols, 1));
    Tensor bigCpu = cpu.upload(src, n + 4, cols), bigGpu = gpu.upload(src, n + 4, cols);
    Tensor tableCpu = cpu.upload(table0, vocab, cols), tableGpu = gpu.upload(table0, vocab, cols);
    cpu.embeddingBackward(bigCpu.rows(first, n), ids, tableCpu);
    gpu.embeddingBackward(bigGpu.rows(first, n), ids, tableGpu);
    assertArrayEquals(cpu.download(tableCpu), gpu.download(tableGpu), "row view of dOut");
  }
}
