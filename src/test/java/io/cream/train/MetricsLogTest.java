package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.UserError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir Path tmp;

  /** Deterministic metrics per step, so an interrupted run and a full run can be compared. */
  private static void logStep(MetricsLog log, int step) {
    Random r = new Random(1000 + step);
    log.log(step, 2 + r.nextDouble(), 1e-5 * r.nextDouble(), r.nextDouble(), 1000 * r.nextDouble(),
        Map.of("seq_len", 64 + step, "phase", "train"));
  }

  @Test
  void writesOneJsonObjectPerLineFlushedImmediately() throws Exception {
    Path file = tmp.resolve("runs/a/metrics.jsonl");
    try (MetricsLog log = MetricsLog.open(file, 0)) {
      log.log(0, 3.5, 1e-5, 0.75, 1234.5, Map.of("extra", List.of(1, 2)));
      // visible on disk before close: flushed per line
      List<String> lines = Files.readAllLines(file);
      assertEquals(1, lines.size());
      JsonNode row = MetricsLog.read(file).get(0);
      assertEquals(0, row.get("step").intValue());
      assertEquals(3.5, row.get("loss").doubleValue());
      assertEquals(1e-5, row.get("lr").doubleValue());
      assertEquals(0.75, row.get("grad_norm").doubleValue());
      assertEquals(1234.5, row.get("tokens_per_s").doubleValue());
      assertEquals(2, row.get("extra").get(1).intValue());
      assertEquals(0, log.lastStep());
    }
  }

  @Test
  void resumeTruncatesToMatchUninterruptedRun() throws Exception {
    Path full = tmp.resolve("full.jsonl");
    try (MetricsLog log = MetricsLog.open(full, 0)) {
      for (int s = 0; s < 20; s++) logStep(log, s);
    }
    // interrupted run: logged up to step 14, crashed in the middle of writing step 15
    Path resumed = tmp.resolve("resumed.jsonl");
    try (MetricsLog log = MetricsLog.open(resumed, 0)) {
      for (int s = 0; s < 15; s++) logStep(log, s);
    }
    Files.writeString(resumed, "{\"step\":15,\"loss\":2.4", StandardOpenOption.APPEND);
    // checkpoint was at step 12: steps 12.. are redone
    try (MetricsLog log = MetricsLog.open(resumed, 12)) {
      assertEquals(11, log.lastStep());
      assertEquals(12, Files.readAllLines(resumed).size());
      for (int s = 12; s < 20; s++) logStep(log, s);
    }
    assertEquals(Files.readString(full), Files.readString(resumed));
  }

  @Test
  void freshRunClearsAnOldLog() throws Exception {
    Path file = tmp.resolve("m.jsonl");
    try (MetricsLog log = MetricsLog.open(file, 0)) {
      for (int s = 0; s < 5; s++) logStep(log, s);
    }
    try (MetricsLog log = MetricsLog.open(file, 0)) {
      assertEquals(-1, log.lastStep());
      assertEquals(0, Files.size(file));
      logStep(log, 0);
    }
    assertEquals(1, MetricsLog.read(file).size());
  }

  @Test
  void nonFiniteLossIsStillValidJson() throws Exception {
    Path file = tmp.resolve("nan.jsonl");
    try (MetricsLog log = MetricsLog.open(file, 0)) {
      log.log(3, Double.NaN, 1e-5, Double.POSITIVE_INFINITY, 10);
    }
    JsonNode row = MetricsLog.read(file).get(0);
    assertTrue(Double.isNaN(row.get("loss").asDouble(0)));
    assertEquals("Infinity", row.get("grad_norm").asText());
  }

  @Test
  void corruptMiddleLineIsAUserError() throws Exception {
    Path file = tmp.resolve("bad.jsonl");
    Files.writeString(file, "{\"step\":0}\nnot json\n{\"step\":2}\n", StandardCharsets.UTF_8);
    UserError e = assertThrows(UserError.class, () -> MetricsLog.open(file, 1));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    // nothing was rewritten
    assertEquals("{\"step\":0}\nnot json\n{\"step\":2}\n", Files.readString(file));
  }

  @Test
  void extraFieldsMayNotShadowStandardOnes() throws Exception {
    try (MetricsLog log = MetricsLog.open(tmp.resolve("x.jsonl"), 0)) {
      assertThrows(IllegalArgumentException.class, () -> log.log(0, 1, 1, 1, 1, Map.of("lr", 2)));
    }
  }
}
