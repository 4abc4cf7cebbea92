package io.cream.cli;

import static io.cream.cli.CompareCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.eval.CellSummary;
import io.cream.eval.EvalResults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `cream eval` through the command line on the shipped 4M-parameter base model (window 256). */
class EvalCommandTest {
  static final Path BASE = BaseToolsCommandTest.BASE;
  @TempDir Path tmp;

  private CliRun passkey(String lengths, Path out, String... more) {
    String[] args = {"eval", "passkey", "--model", BASE.toString(), "--out", out.toString(), "--lengths", lengths,
        "--depths", "50", "--samples", "2"};
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return run(all);
  }

  @Test
  void passkeyInsideTheWindowScoresEveryPrompt() {
    Path out = tmp.resolve("e");
    CliRun r = passkey("128", out);
    assertEquals(0, r.code(), r.err());
    assertFalse(r.err().contains("warning"), r.err());
    EvalResults res = EvalResults.read(out.resolve("results.json"));
    assertTrue(res.complete());
    assertEquals(1, res.cells().size());
    CellSummary cell = res.cells().get(0);
    assertEquals(128, cell.length());
    assertEquals(2, cell.n());
    assertEquals(1.0, cell.accuracy(), 1e-12, "the base model learned passkey retrieval in its window");
    assertEquals(2, res.records().size());
  }

  @Test
  void anOutThatCannotBeWrittenIsRefusedBeforeEvaluating() throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    for (Path out : new Path[] {file, Path.of("/proc/cream-eval-out")}) {
      long t0 = System.nanoTime();
      CliRun r = passkey("128", out);
      assertEquals(2, r.code(), r.err());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("cream: ") && r.err().contains("--out") && r.err().contains(out.toString()), r.err());
      assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused before loading the model or evaluating");
    }
  }

  @Test
  void lengthsFarBeyondMemoryAreRefusedUpFront() {
    CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(30),
        () -> passkey("100000000", tmp.resolve("e")));
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("a 100,000,010-token sequence needs") && r.err().contains("--lengths"), r.err());
  }

  @Test
  void lengthsBeyondTheWindowRunWithOneWarning() {
    CliRun r = passkey("320", tmp.resolve("e"));
    assertEquals(0, r.code(), r.err());
    assertEquals(1, r.err().lines().filter(l -> l.contains("warning")).count(), r.err());
    assertTrue(r.err().contains("[passkey] warning: lengths up to 320 run past the model's window of 256 tokens"), r.err());

    // --rope yarn at 2× sets the window to 512: no warning.
    CliRun yarn = passkey("320", tmp.resolve("y"), "--rope", "yarn", "--rope-factor", "2");
    assertEquals(0, yarn.code(), yarn.err());
    assertFalse(yarn.err().contains("warning"), yarn.err());
  }
}
