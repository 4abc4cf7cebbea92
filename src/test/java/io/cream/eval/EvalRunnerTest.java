package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every generative task end to end: the oracle must score 1, the wrong model 0. */
class EvalRunnerTest {
  @TempDir Path tmp;

  /** Small grids that run in milliseconds on the toy models. */
  static EvalOptions small() {
    return EvalOptions.defaults()
        .withHaystackDir(TestHaystack.folder())
        .withLengths(List.of(120, 300))
        .withDepths(List.of(0.0, 50.0, 100.0))
        .withKeys(List.of(12))
        .withSamples(3)
        .withSeed(2024);
  }

  static Path run(String task, EvalModel model, EvalOptions o, Path out) {
    return EvalRunner.run(task, model, o, out, new PrintStream(new ByteArrayOutputStream()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"passkey", "needle", "kv", "lines"})
  void oracleScoresOneAndWrongScoresZero(String task) {
    EvalResults good = EvalResults.read(run(task, new OracleModel(10_000), small(), tmp.resolve("good")));
    EvalResults bad = EvalResults.read(run(task, new WrongModel(10_000), small(), tmp.resolve("bad")));
    int expectedCells = switch (task) {
      case "passkey", "needle" -> 6;
      case "kv" -> 5;
      default -> 2;
    };
    assertEquals(expectedCells, good.cells().size());
    assertEquals(expectedCells * 3, good.records().size());
    for (CellSummary c : good.cells()) {
      assertEquals(3, c.n());
      assertEquals(1.0, c.accuracy(), task + " oracle cell " + c);
    }
    for (CellSummary c : bad.cells()) assertEquals(0.0, c.accuracy(), task + " wrong cell " + c);
    for (CaseRecord r : good.records()) {
      assertTrue(r.correct());
      assertTrue(r.promptTokens() > 0 && r.generatedTokens() > 0);
      assertFalse(r.reply().isBlank());
    }
    if (task.equals("needle")) {
      assertEquals(1.0, good.cells().getFirst().partial());
      assertEquals(0.0, bad.cells().getFirst().partial());
      assertEquals(1.0, good.cells().getFirst().rougeL());
      assertTrue(bad.cells().getFirst().rougeL() < 0.3, "the wrong reply shares only a few words with the needle");
    }
    if (task.equals("kv")) {
      assertEquals(List.of(0.0, 2.0, 5.0, 8.0, 11.0), good.cells().stream().map(CellSummary::position).toList());
      for (CaseRecord r : good.records()) assertEquals(r.position().intValue(), r.queryIndex());
    }
  }

  @Test
  void linesHoldsOffEosForFiveTokensWithinThirtyFive() {
    List<int[]> limits = new java.util.ArrayList<>();
    WordModel recording = new OracleModel(10_000) {
      @Override
      public int[] generateGreedy(int[] prompt, int minNewTokens, int maxNewTokens) {
        limits.add(new int[] {minNewTokens, maxNewTokens});
        return super.generateGreedy(prompt, minNewTokens, maxNewTokens);
      }
    };
    run("lines", recording, small().withSamples(1), tmp.resolve("lines"));
    assertEquals(List.of(5, 35), List.of(limits.getFirst()[0], limits.getFirst()[1]));
    limits.clear();
    run("passkey", recording, small().withSamples(1), tmp.resolve("passkey"));
    assertEquals(List.of(0, 10), List.of(limits.getFirst()[0], limits.getFirst()[1]));
    limits.clear();
    // A smaller budget than the default minimum lowers the minimum with it.
    run("lines", recording, small().withSamples(1).withMaxNewTokens(3), tmp.resolve("lines3"));
    assertEquals(List.of(3, 3), List.of(limits.getFirst()[0], limits.getFirst()[1]));
    UserError e = assertThrows(UserError.class,
        () -> run("lines", recording, small().withMinNewTokens(9).withMaxNewTokens(4), tmp.resolve("bad")));
    assertTrue(e.getMessage().contains("--min-new-tokens"), e.getMessage());
  }

  @Test
  void emptyGridsTakeTheTasksDefaults() {
    EvalOptions none = small().withLengths(List.of()).withDepths(List.of());
    assertEquals(NeedleTask.DEFAULT_LENGTHS.size() * 6, new NeedleTask().cells(none).size());
    assertEquals(15, new PasskeyTask().cells(none).size());
    assertEquals(List.of(1024, 2048, 4096), EvalRunner.resolve(new LinesTask(), none).lengths());
    assertEquals(NeedleTask.DEFAULT_DEPTHS, EvalRunner.resolve(new NeedleTask(), none).depths());
  }

  @Test
  void resultsJsonHasTheDocumentedFields() throws IOException {
    Path file = run("needle", new OracleModel(10_000), small().withRopeOverride("yarn:8"), tmp);
    assertEquals(tmp.resolve("results.json"), file);
    JsonNode root = Json.read(file);
    for (String f : List.of("schemaVersion", "task", "model", "ropeOverride", "seed", "lengthUnit", "positionAxis",
        "options", "chart", "complete", "cells", "records", "timings", "creamVersion", "date")) {
      assertTrue(root.has(f), "missing " + f);
    }
    assertEquals("needle", root.get("task").asText());
    assertEquals("oracle", root.get("model").asText());
    assertEquals("yarn:8", root.get("ropeOverride").asText());
    assertEquals(2024, root.get("seed").asLong());
    assertEquals("depth_percent", root.get("positionAxis").asText());
    assertTrue(root.get("complete").asBoolean());
    assertEquals(50, root.get("options").get("maxNewTokens").asInt(), "the task default is resolved");
    assertEquals(0, root.get("options").get("minNewTokens").asInt(), "the task default is resolved");
    assertEquals("vicuna", root.get("options").get("chatTemplate").asText());
    assertEquals("uuid", root.get("options").get("kvKey").asText());
    JsonNode cell = root.get("cells").get(0);
    for (String f : List.of("length", "position", "n", "accuracy", "partial", "rougeL", "meanPromptTokens", "seconds", "tokensPerSecond")) {
      assertTrue(cell.has(f), "cell lacks " + f);
    }
    JsonNode rec = root.get("records").get(0);
    for (String f : List.of("length", "position", "sample", "promptTokens", "items", "expected", "reply", "correct", "partial",
        "rougeL", "generatedTokens", "seconds")) {
      assertTrue(rec.has(f), "record lacks " + f);
    }
    assertFalse(rec.has("nll"), "fields a task does not use are left out");
    for (String f : List.of("totalSeconds", "tokensPerSecond", "promptTokens", "generatedTokens")) {
      assertTrue(root.get("timings").has(f), "timings lack " + f);
    }
    assertTrue(root.get("timings").get("promptTokens").asLong() > 0);

    BufferedImage chart = ImageIO.read(tmp.resolve(root.get("chart").asText()).toFile());
    assertEquals(800, chart.getWidth());
    assertTrue(distinctColours(chart) > 10, "the chart is not blank");
  }

  @Test
  void ropeOverrideIsWrittenAsNullWhenAbsent() {
    JsonNode root = Json.read(run("passkey", new OracleModel(10_000), small().withLengths(List.of(100)), tmp));
    assertTrue(root.has("ropeOverride") && root.get("ropeOverride").isNull());
  }

  @Test
  void casesAreDeterministicForASeedAndChangeWithIt() {
    EvalOptions o = small().withLengths(List.of(150));
    List<String> a = expected(run("passkey", new OracleModel(10_000), o, tmp.resolve("a")));
    List<String> b = expected(run("passkey", new OracleModel(10_000), o, tmp.resolve("b")));
    List<String> c = expected(run("passkey", new OracleModel(10_000), o.withSeed(7), tmp.resolve("c")));
    assertEquals(a, b);
    assertNotEquals(a, c);
    // A cell's cases do not depend on the rest of the grid.
    List<String> wider = expected(run("passkey", new OracleModel(10_000), o.withLengths(List.of(100, 150)), tmp.resolve("d")));
    assertEquals(a, wider.subList(wider.size() - a.size(), wider.size()));
  }

  private static List<String> expected(Path file) {
    return EvalResults.read(file).records().stream().map(CaseRecord::expected).toList();
  }

  @Test
  void progressPrintsOneLinePerCell() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    EvalRunner.run("lines", new OracleModel(10_000), small(), tmp, new PrintStream(bytes, true));
    List<String> lines = bytes.toString().lines().toList();
    assertEquals(2, lines.size(), bytes.toString());
    assertTrue(lines.get(1).startsWith("[lines] 2/2 tokens=300: acc 1.00 (3/3)"), lines.get(1));
    assertTrue(lines.get(1).contains("ETA"), lines.get(1));
  }

  @Test
  void lengthsBeyondTheContextLimitFailBeforeAnyWork() {
    UserError e = assertThrows(UserError.class, () -> run("passkey", new OracleModel(200), small(), tmp));
    assertTrue(e.getMessage().contains("context limit 200"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("results.json")));
    UserError kv = assertThrows(UserError.class, () -> run("kv", new OracleModel(40), small(), tmp));
    assertTrue(kv.getMessage().contains("context limit 40"), kv.getMessage());
  }

  @Test
  void unknownTaskIsAUserError() {
    UserError e = assertThrows(UserError.class, () -> run("passkeys", new OracleModel(100), small(), tmp));
    assertTrue(e.getMessage().contains("passkey, needle, kv, lines, ppl"), e.getMessage());
  }

  static int distinctColours(BufferedImage image) {
    java.util.Set<Integer> colours = new java.util.HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) for (int x = 0; x < image.getWidth(); x += 3) colours.add(image.getRGB(x, y));
    return colours.size();
  }
}
