package io.cream.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.Parallel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GemmTest {
  private static final double TOLERANCE = 1e-5;

  private static void check(GemmCase cs, int threads) {
    float[] out = cs.run(threads);
    double err = cs.relativeError(out, cs.reference());
    assertTrue(err <= TOLERANCE, () -> "relative error " + err + " for " + cs);
    assertTrue(cs.outsideUntouched(out), () -> "wrote outside the m×n window for " + cs);
  }

  @Test
  void smallAndOddShapesAllTransposes() {
    Random rnd = new Random(11);
    int[] sizes = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 40};
    for (int trial = 0; trial < 400; trial++) {
      int m = sizes[rnd.nextInt(sizes.length)];
      int n = sizes[rnd.nextInt(sizes.length)];
      int k = sizes[rnd.nextInt(sizes.length)];
      GemmCase cs = GemmCase.random(rnd, (trial & 1) != 0, (trial & 2) != 0, m, n, k,
          (trial & 4) != 0, rnd.nextBoolean());
      check(cs, Parallel.threads());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "false, false", "false, true", "true, false", "true, true",
  })
  void largerShapesSpanSeveralBlocksAndTasks(boolean transA, boolean transB) {
    Random rnd = new Random(20 + (transA ? 1 : 0) + (transB ? 2 : 0));
    // 300×517×129 is many tiles and tasks with ragged edges; the others span two and three
    // depth blocks, accumulating and not.
    int kc = GemmBlocked.KC;
    check(GemmCase.random(rnd, transA, transB, 300, 517, 129, false, true), Parallel.threads());
    check(GemmCase.random(rnd, transA, transB, 137, 93, kc + 88, true, true), Parallel.threads());
    check(GemmCase.random(rnd, transA, transB, 45, 70, 2 * kc + 18, false, true),
        Parallel.threads());
  }

  @Test
  void fewRowsTakeTheUnpackedPathInAllTransposes() {
    Random rnd = new Random(31);
    for (int m = 1; m <= GemmSkinny.MAX_ROWS + 1; m++) {
      for (int t = 0; t < 4; t++) {
        int n = 1 + rnd.nextInt(300), k = 1 + rnd.nextInt(300);
        check(GemmCase.random(rnd, (t & 1) != 0, (t & 2) != 0, m, n, k, rnd.nextBoolean(), true),
            Parallel.threads());
      }
      // Wide enough to run in parallel and to use whole four-vector column runs.
      check(GemmCase.random(rnd, false, m % 2 == 0, m, 1100, 1030, true, true), Parallel.threads());
    }
  }

  @Test
  void moreRowsThanOnePackedBlockAndManyStrips() {
    Random rnd = new Random(41);
    check(GemmCase.random(rnd, false, true, 9, 20 * GemmBlocked.STRIP + 5, 5, false, true), 2);
    check(GemmCase.random(rnd, true, false, GemmBlocked.M_BLOCK + 7, 6, 3, true, true), 2);
  }

  /** Products run from inside a parallel loop (say one per attention head) stay independent. */
  @Test
  void concurrentCallsFromParallelLoops() {
    Random rnd = new Random(45);
    GemmCase[] cases = new GemmCase[12];
    for (int i = 0; i < cases.length; i++) {
      cases[i] = GemmCase.random(rnd, i % 2 == 0, i % 3 == 0, 70 + i, 90 - i, 200 + 7 * i, i % 4 == 0,
          true);
    }
    float[][] outs = new float[cases.length][];
    Parallel.forRange(cases.length, 1, (start, end) -> {
      for (int i = start; i < end; i++) outs[i] = cases[i].run(Parallel.threads());
    });
    for (int i = 0; i < cases.length; i++) {
      double err = cases[i].relativeError(outs[i], cases[i].reference());
      int at = i;
      assertTrue(err <= TOLERANCE, () -> "relative error " + err + " for " + cases[at]);
    }
  }

  @Test
  void resultDoesNotDependOnThreadCount() {
    Random rnd = new Random(51);
    GemmCase cs = GemmCase.random(rnd, false, true, 203, 301, 290, true, true);
    float[] one = cs.run(1);
    float[] all = cs.run(Parallel.threads());
    assertArrayEquals(one, all);
    assertTrue(cs.relativeError(one, cs.reference()) <= TOLERANCE);
  }

  @Test
  void zeroDepthClearsOrKeepsC() {
    Random rnd = new Random(61);
    GemmCase keep = GemmCase.random(rnd, false, false, 5, 6, 0, true, true);
    assertArrayEquals(keep.c(), keep.run(1));
    GemmCase clear = GemmCase.random(rnd, false, false, 5, 6, 0, false, true);
    float[] out = clear.run(1);
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 6; j++) assertEquals(0f, out[clear.cOff() + i * clear.ldc() + j]);
    }
    assertTrue(clear.outsideUntouched(out));
  }

  @Test
  void rejectsArraysTooSmallAndShortStrides() {
    float[] a = new float[12], b = new float[12], c = new float[9];
    // 3×4 · 4×3 fits exactly; one float less in any operand must be refused.
    Gemm.gemm(false, false, 3, 3, 4, a, 0, 4, b, 0, 3, c, 0, 3, false);
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 3, 3, 4, a, 1, 4, b, 0, 3, c, 0, 3, false));
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 3, 3, 4, a, 0, 4, b, 0, 3, new float[8], 0, 3, false));
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, false, 3, 3, 4, a, 0, 3, b, 0, 3, c, 0, 3, false));
    assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(false, true, 3, 3, 4, a, 0, 4, b, 0, 3, c, 0, 3, false));
  }

  /** The same kernel code with 256-bit vectors, in a child JVM (the species is fixed per JVM). */
  @Test
  void narrowerVectorsGiveTheSameResults() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process proc = new ProcessBuilder(List.of(java,
        "--add-modules", "jdk.incubator.vector", "-Dcream.gemm.species=256",
        "-cp", System.getProperty("java.class.path"), GemmSpeciesProbe.class.getName()))
        .redirectErrorStream(true).start();
    boolean done = proc.waitFor(60, TimeUnit.SECONDS);
    String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!done) proc.destroyForcibly();
    assertTrue(done, "probe timed out: " + out);
    assertEquals(0, proc.exitValue(), out);
    assertTrue(out.contains("lanes=8 "), out);
  }
}
