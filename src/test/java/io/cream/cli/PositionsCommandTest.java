package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSample;
import io.cream.positions.PositionSampler;
import io.cream.positions.SampleStream;
import io.cream.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** `cream positions` through Main.execute, with stdout and stderr captured. */
class PositionsCommandTest {
  private record Run(int exitCode, String out, String err) {
    List<String> lines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
  }

  private static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      String[] full = new String[args.length + 1];
      full[0] = "positions";
      System.arraycopy(args, 0, full, 1, args.length);
      int code = Main.execute(full);
      System.out.flush();
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static Integer intOrNull(JsonNode node) {
    return node.isNull() ? null : node.intValue();
  }

  @Test
  void jsonlIsTheSamplersOutputForEachSeedAndIndex() throws Exception {
    for (PositionMethod method : PositionMethod.values()) {
      Run r = run("--method", method.cliName(), "--window", "256", "--factor", "8", "--samples", "40",
          "--format", "jsonl", "--seed", "3", "--with-positions");
      assertEquals(0, r.exitCode(), r.err());
      List<String> lines = r.lines();
      assertEquals(40, lines.size());
      PositionSampler sampler = PositionSampler.create(method, 256, 8, 3.0);
      for (int i = 0; i < lines.size(); i++) {
        JsonNode node = Json.MAPPER.readTree(lines.get(i));
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) names.add(it.next());
        assertEquals(List.of("method", "branch", "head", "tail", "ratio_r", "middle_start", "middle_end",
            "positions"), names);
        PositionSample expected = sampler.sample(PositionSampler.rngFor(3, i));
        assertEquals(method.cliName(), node.get("method").asText());
        assertEquals(expected.branch(), intOrNull(node.get("branch")));
        assertEquals(expected.head(), intOrNull(node.get("head")));
        assertEquals(expected.tail(), intOrNull(node.get("tail")));
        assertEquals(expected.ratioR(), intOrNull(node.get("ratio_r")));
        assertEquals(expected.middleStart(), intOrNull(node.get("middle_start")));
        assertEquals(expected.middleEnd(), intOrNull(node.get("middle_end")));
        int[] ids = new int[node.get("positions").size()];
        for (int k = 0; k < ids.length; k++) ids[k] = node.get("positions").get(k).intValue();
        assertArrayEquals(expected.positions(), ids);
      }
    }
  }

  @Test
  void positionsAreLeftOutUnlessAskedFor() throws Exception {
    Run r = run("--method", "pose", "--window", "64", "--factor", "4", "--samples", "5", "--format", "jsonl");
    assertEquals(0, r.exitCode(), r.err());
    for (String line : r.lines()) {
      JsonNode node = Json.MAPPER.readTree(line);
      assertFalse(node.has("positions"));
      assertTrue(node.get("branch").isNull());
      assertTrue(node.get("tail").isNull());
      assertTrue(node.get("head").intValue() >= 1);
    }
  }

  @Test
  void theTrainerMakesTheCliIdsForEachDocumentOfItsFirstEpoch() throws Exception {
    int n = 64, f = 4, docs = 9;
    List<String> ids = new ArrayList<>();
    List<int[]> tokens = new ArrayList<>();
    for (int d = 0; d < docs; d++) {
      int[] t = new int[300];
      for (int i = 0; i < t.length; i++) t[i] = (d + 1) * 1000 + i;
      ids.add("doc" + d);
      tokens.add(t);
    }
    io.cream.data.TokenizedCorpus corpus = io.cream.data.TokenizedCorpus.of(ids, tokens);
    for (String mode : List.of("per-sample", "per-batch")) {
      for (String method : List.of("cream", "pose", "randpos")) {
        Run r = run("--method", method, "--window", "" + n, "--factor", "" + f, "--samples", "" + docs, "--format", "jsonl",
            "--with-positions", "--branch-mode", mode, "--branch-batch-size", "4", "--seed", "21");
        assertEquals(0, r.exitCode(), r.err());
        SampleStream stream = new SampleStream(PositionSampler.create(PositionMethod.parse(method), n, f, 3.0),
            BranchMode.parse(mode), 4, 21);
        io.cream.train.SampleSource trainer = new io.cream.train.SampleSource(corpus, stream, 1, 21, 2);
        for (int k = 0; k < docs; k++) { // one sample a micro-batch: the first epoch, in shuffled order
          io.cream.model.TrainBatch b = trainer.batch(k);
          int doc = b.tokens()[0] / 1000 - 1;
          JsonNode line = Json.MAPPER.readTree(r.lines().get(doc));
          for (int i = 0; i < n; i++) {
            assertEquals(line.get("positions").get(i).intValue(), b.positions()[i], method + " " + mode + " document " + doc);
          }
        }
      }
    }
  }

  @Test
  void perBatchModeSharesTheBranchWithinEachBatch() throws Exception {
    Run r = run("--method", "cream", "--window", "512", "--factor", "8", "--samples", "100",
        "--format", "jsonl", "--branch-mode", "per-batch", "--batch-size", "10", "--seed", "5");
    assertEquals(0, r.exitCode(), r.err());
    List<String> lines = r.lines();
    assertEquals(100, lines.size());
    SampleStream stream = new SampleStream(PositionSampler.create(PositionMethod.CREAM, 512, 8, 3.0), BranchMode.PER_BATCH, 10, 5);
    int[] batchBranches = new int[2];
    for (int k = 0; k < 10; k++) {
      int branch = stream.branchOfBatch(k);
      for (int j = 0; j < 10; j++) {
        JsonNode node = Json.MAPPER.readTree(lines.get(10 * k + j));
        PositionSample expected = stream.draw(10 * k + j).sample();
        assertEquals(expected.branch(), intOrNull(node.get("branch")));
        assertEquals(expected.middleEnd(), intOrNull(node.get("middle_end")));
        assertEquals(branch, intOrNull(node.get("branch")));
      }
      batchBranches[branch]++;
    }
    assertTrue(batchBranches[0] > 0 && batchBranches[1] > 0);
  }

  @Test
  void tableShowsHeaderHistogramAndTheLawOfR() {
    Run r = run("--method", "cream", "--window", "4096", "--factor", "8", "--samples", "2000", "--seed", "1");
    assertEquals(0, r.exitCode(), r.err());
    String out = r.out();
    assertTrue(out.contains("method cream, window N = 4096, factor f = 8, target S = f·N = 32768, samples 2000"), out);
    Matcher bin = Pattern.compile("(?m)^\\s+(\\d+) – \\s*(\\d+)\\s+([0-9.]+)%").matcher(out);
    int bins = 0;
    double totalShare = 0;
    long expectedFirst = 0;
    while (bin.find()) {
      assertEquals(expectedFirst, Long.parseLong(bin.group(1)), "bins must tile [0, S)");
      expectedFirst = Long.parseLong(bin.group(2)) + 1;
      totalShare += Double.parseDouble(bin.group(3));
      bins++;
    }
    assertEquals(32, bins);
    assertEquals(32768, expectedFirst);
    assertEquals(100.0, totalShare, 0.2);
    // CREAM puts a head of ids in the first bin and its tail in the last: both well above uniform.
    assertTrue(out.contains("empirical vs analytic P(r)"), out);
    Matcher row = Pattern.compile("(?m)^\\s+9\\s+4\\.5\\s+(\\d+)\\s+([0-9.]+)\\s+([0-9.]+)$").matcher(out);
    assertTrue(row.find(), out);
    assertEquals("0.1306", row.group(3));
    assertEquals(Integer.parseInt(row.group(1)) / 2000.0, Double.parseDouble(row.group(2)), 1e-4);
    assertTrue(out.contains("branch split: relativity (b = 0, H = T = 1365)"), out);
    assertTrue(out.contains("continuity (b = 1, H = T = 32)"), out);
  }

  @Test
  void tableForContiguousFillsOnlyTheFirstWindow() {
    Run r = run("--method", "contiguous", "--window", "100", "--factor", "4", "--samples", "3");
    assertEquals(0, r.exitCode(), r.err());
    // S = 400, 32 bins: ids 0 … 99 fill bins up to [98, 110]; later bins are empty.
    assertTrue(r.out().contains("  0 –  12   13.00%"), r.out());
    assertTrue(r.out().contains("388 – 399    0.00%"), r.out());
    assertFalse(r.out().contains("P(r)"));
  }

  @Test
  void badInputIsOneLineNamingTheFlag() {
    assertBadUsage("--factor", "--method", "cream", "--window", "4096", "--factor", "1");
    assertBadUsage("--window", "--method", "cream", "--window", "64", "--factor", "8");
    assertBadUsage("--sigma", "--method", "cream", "--window", "4096", "--factor", "8", "--sigma", "-1");
    assertBadUsage("--method", "--method", "yarn", "--window", "4096", "--factor", "8");
    assertBadUsage("--format", "--method", "pose", "--window", "4096", "--factor", "8", "--format", "csv");
    assertBadUsage("--samples", "--method", "pose", "--window", "4096", "--factor", "8", "--samples", "0");
    assertBadUsage("--with-positions", "--method", "pose", "--window", "64", "--factor", "2", "--with-positions");
    assertBadUsage("--branch-mode", "--method", "cream", "--window", "4096", "--factor", "8", "--branch-mode", "x");
    assertBadUsage("--window", "--method", "cream", "--factor", "8"); // missing required option
  }

  private static void assertBadUsage(String flag, String... args) {
    Run r = run(args);
    assertEquals(2, r.exitCode(), "exit code for " + String.join(" ", args));
    assertEquals("", r.out());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "one line: " + err);
    assertTrue(err.contains(flag), "should name " + flag + ": " + err);
    assertFalse(err.contains("Exception"), err);
  }
}
