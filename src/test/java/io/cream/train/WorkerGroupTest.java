package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The supervisor of worker processes, with small shell commands as workers. */
class WorkerGroupTest {
  private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
  private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(outBuf, true, StandardCharsets.UTF_8);
  private final PrintStream err = new PrintStream(errBuf, true, StandardCharsets.UTF_8);

  private static WorkerGroup.Worker sh(int rank, String script) {
    return new WorkerGroup.Worker("rank " + rank, "[rank " + rank + "] ",
        List.of("sh", "-c", script), rank == 0);
  }

  @Test
  void forwardsLinesWithRankPrefixesAndPassesTheEnvironment() throws Exception {
    int code = WorkerGroup.run(List.of(
            sh(0, "echo result line; echo note from zero >&2; echo nvls=$NCCL_NVLS_ENABLE >&2"),
            sh(1, "echo stdout of one; echo note from one >&2")),
        Map.of("NCCL_NVLS_ENABLE", "0"), out, err, Duration.ofSeconds(5));
    String o = outBuf.toString(StandardCharsets.UTF_8);
    String e = errBuf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, e);
    assertEquals("result line\n", o, "rank 0's stdout unprefixed, nobody else's");
    assertTrue(e.contains("[rank 0] note from zero\n"), e);
    assertTrue(e.contains("[rank 0] nvls=0\n"), e);
    assertTrue(e.contains("[rank 1] note from one\n"), e);
    assertTrue(e.contains("[rank 1] stdout of one\n"), e);
  }

  @Test
  void aFailingWorkerStopsTheOthersAndNamesItself() throws Exception {
    long t0 = System.nanoTime();
    int code = WorkerGroup.run(List.of(
            sh(0, "exec sleep 60"),
            sh(1, "echo 'cream: bad thing' >&2; exit 3"),
            sh(2, "exec sleep 60")),
        Map.of(), out, err, Duration.ofSeconds(5));
    double seconds = (System.nanoTime() - t0) / 1e9;
    String e = errBuf.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, e);
    assertTrue(seconds < 20, "the sleeping workers were stopped, took " + seconds + " s");
    assertTrue(e.contains("[rank 1] cream: bad thing"), e);
    assertTrue(e.contains("rank 1 failed with exit code 3"), e);
  }

  @Test
  void aUsageErrorKeepsExitCodeTwo() throws Exception {
    int code = WorkerGroup.run(List.of(sh(0, "exit 2"), sh(1, "exit 0")), Map.of(), out, err,
        Duration.ofSeconds(5));
    assertEquals(2, code);
    assertTrue(errBuf.toString(StandardCharsets.UTF_8).contains("rank 0 failed with exit code 2"));
  }

  @Test
  void aWorkerThatIgnoresTerminationIsKilledAfterTheGracePeriod() throws Exception {
    long t0 = System.nanoTime();
    int code = WorkerGroup.run(List.of(
            sh(0, "trap '' TERM; while true; do :; done"),
            sh(1, "sleep 0.2; exit 1")),
        Map.of(), out, err, Duration.ofMillis(500));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(1, code);
    assertTrue(seconds < 20, "killed after the grace period, took " + seconds + " s");
  }
}
