package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.io.HfCheckpoint;
import io.cream.io.SafeTensorsReader;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaModel;
import io.cream.model.ModelLoader;
import io.cream.positions.PositionMethod;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import io.cream.util.RunFailure;
import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end training runs on a tiny model with the real Mistral tokenizer and real text:
 * CREAM fine-tuning writes an HF checkpoint with the right rope_scaling, a resumed run matches the
 * uninterrupted one bit for bit, and a written checkpoint loads back with identical logits.
 */
class TrainerTest {
  @TempDir static Path tmp;
  static Path data, initConfig, tokenizer;

  @BeforeAll
  static void setUp() throws Exception {
    tokenizer = TrainFixtures.tokenizer();
    data = TrainFixtures.books(tmp.resolve("data"), 60_000, List.of("carroll-alice", "austen-persuasion"));
    initConfig = TrainFixtures.tinyConfig(tmp.resolve("init.json"), true);
  }

  static TrainOptions options(Path out, PositionMethod method, RopeType rope, int steps,
      boolean resume, int maxSteps, int saveEvery) {
    return TrainOptions.defaults().withInit(initConfig).withTokenizer(tokenizer).withData(data).withOut(out)
        .withWindow(72).withMethod(method).withRope(rope).withSteps(steps).withBatch(2).withGradAccum(2).withLr(3e-3)
        .withWarmup(2).withSeed(5).withSaveEvery(saveEvery).withResume(resume).withMaxSteps(maxSteps);
  }

  static Trainer.Result train(TrainOptions o) throws Exception {
    try (CpuBackend b = new CpuBackend()) {
      return new Trainer(o, b, new PrintStream(new ByteArrayOutputStream())).run();
    }
  }

  @Test
  void creamRunWritesHuggingFaceCheckpointWithYarn() throws Exception {
    Path out = tmp.resolve("cream-yarn");
    Trainer.Result r = train(options(out, PositionMethod.CREAM, RopeType.YARN, 6, false, 0, 0));
    assertEquals(6, r.step());
    List<JsonNode> lines = MetricsLog.read(out.resolve("metrics.jsonl"));
    assertEquals(6, lines.size());
    assertTrue(lines.getLast().get("loss").asDouble() < lines.getFirst().get("loss").asDouble(),
        "loss should fall: " + lines);
    JsonNode cfg = Json.read(out.resolve("config.json"));
    assertEquals("yarn", cfg.path("rope_scaling").path("rope_type").asText());
    assertEquals(8.0, cfg.path("rope_scaling").path("factor").asDouble());
    assertEquals(72, cfg.path("rope_scaling").path("original_max_position_embeddings").asInt());
    assertEquals(576, cfg.path("max_position_embeddings").asInt());
    assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
  }

  @Test
  void resumedRunMatchesUninterruptedBitForBit() throws Exception {
    Path whole = tmp.resolve("whole");
    Path split = tmp.resolve("split");
    train(options(whole, PositionMethod.POSE, RopeType.LINEAR, 6, false, 0, 3));
    train(options(split, PositionMethod.POSE, RopeType.LINEAR, 6, false, 3, 3));
    assertThrows(UserError.class,
        () -> train(options(split, PositionMethod.POSE, RopeType.LINEAR, 6, false, 0, 3)));
    train(options(split, PositionMethod.POSE, RopeType.LINEAR, 6, true, 0, 3));
    assertEquals(Files.readAllLines(whole.resolve("metrics.jsonl")).stream().map(TrainerTest::noRate).toList(),
        Files.readAllLines(split.resolve("metrics.jsonl")).stream().map(TrainerTest::noRate).toList());
    try (SafeTensorsReader a = SafeTensorsReader.open(whole.resolve("model.safetensors"));
        SafeTensorsReader b = SafeTensorsReader.open(split.resolve("model.safetensors"))) {
      assertEquals(a.names(), b.names());
      for (String n : a.names()) {
        assertArrayEquals(a.get(n).toFloatArray(), b.get(n).toFloatArray(), 0f, n);
      }
    }
  }

  @Test
  void checkpointLoadsBackWithIdenticalLogits() throws Exception {
    Path out = tmp.resolve("contiguous");
    // f = 1: contiguous ids take any factor ≥ 1 (plain fine-tuning, no extension).
    train(options(out, PositionMethod.CONTIGUOUS, RopeType.DEFAULT, 3, false, 0, 0).withFactor(1));
    int[] ids = {1, 415, 2936, 9060, 285, 1142};
    try (CpuBackend b = new CpuBackend();
        LlamaModel a = ModelLoader.load(out, b, null);
        LlamaModel c = ModelLoader.load(out.resolve("checkpoints/step-000003"), b, null);
        InferenceSession sa = new InferenceSession(a, ids.length);
        InferenceSession sc = new InferenceSession(c, ids.length)) {
      assertArrayEquals(sa.append(ids, InferenceSession.Logits.ALL), sc.append(ids, InferenceSession.Logits.ALL), 0f);
    }
    assertTrue(Files.isRegularFile(out.resolve(HfCheckpoint.CONFIG_FILE)));
  }

  @Test
  void divergingRunStopsWithAClearMessageAndKeepsTheLastGoodCheckpoint() throws Exception {
    Path out = tmp.resolve("diverge");
    TrainOptions o = options(out, PositionMethod.CONTIGUOUS, RopeType.DEFAULT, 8, false, 0, 1);
    TrainOptions absurd = o.withLr(1e30).withWarmup(0).withClip(0.0);
    RunFailure e = assertThrows(RunFailure.class, () -> train(absurd));
    assertTrue(e.getMessage().startsWith("training diverged at step "), e.getMessage());
    assertTrue(e.getMessage().contains("the last good checkpoint, " + out.resolve("checkpoints")), e.getMessage());
    Path last = new Checkpoints(out).latest().orElseThrow();
    int step = Checkpoints.readState(last).path("step").asInt();
    assertTrue(step >= 1, "a checkpoint of a finite step is kept: " + last);
    try (SafeTensorsReader r = SafeTensorsReader.open(last.resolve("model.safetensors"))) {
      for (String n : r.names()) {
        for (float v : r.get(n).toFloatArray()) assertTrue(Float.isFinite(v), n + " holds " + v);
      }
    }
  }

  /** tokens_per_s is a timing: everything else in a metrics line must match exactly. */
  private static String noRate(String line) {
    return line.replaceAll("\"tokens_per_s\":[^,}]*", "");
  }
}
