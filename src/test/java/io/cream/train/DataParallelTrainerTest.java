package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.io.SafeTensorsReader;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on the CPU with a thread collective standing in for NCCL: two ranks with
 * --grad-accum 1 reproduce one process with --grad-accum 2 (same global batch), rank 1 writes
 * nothing, and a resumed run must keep the number of micro-batches per step.
 */
class DataParallelTrainerTest {
  @TempDir static Path tmp;
  static Path data, initConfig, tokenizer;
  static final int STEPS = 4;

  @BeforeAll
  static void setUp() throws Exception {
    tokenizer = TrainFixtures.tokenizer();
    data = TrainFixtures.books(tmp.resolve("data"), 40_000, List.of("carroll-alice", "chesterton-thursday"));
    initConfig = TrainFixtures.tinyConfig(tmp.resolve("init.json"), false);
  }

  static TrainOptions options(Path out, int gradAccum, boolean resume, int maxSteps, int saveEvery) {
    return TrainOptions.defaults().withInit(initConfig).withTokenizer(tokenizer).withData(data).withOut(out)
        .withWindow(72).withRope(RopeType.YARN).withSteps(STEPS).withBatch(2).withGradAccum(gradAccum).withLr(3e-3)
        .withWarmup(1).withSeed(11).withSaveEvery(saveEvery).withResume(resume).withMaxSteps(maxSteps);
  }

  static void trainOneProcess(TrainOptions o) throws Exception {
    try (CpuBackend b = new CpuBackend()) {
      new Trainer(o, b, new PrintStream(new ByteArrayOutputStream())).run();
    }
  }

  /** Runs world ranks as threads; returns what each rank printed to its log. */
  static List<String> trainRanks(TrainOptions o, int world) throws Exception {
    List<CpuBackend> backends = new ArrayList<>();
    for (int r = 0; r < world; r++) backends.add(new CpuBackend());
    List<ThreadCollective> group = ThreadCollective.group(backends);
    List<ByteArrayOutputStream> logs = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(world);
    try {
      List<Future<Trainer.Result>> results = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        logs.add(log);
        int rank = r;
        results.add(pool.submit(() -> {
          try {
            return new Trainer(o, backends.get(rank), new PrintStream(log), group.get(rank)).run();
          } catch (Throwable t) {
            group.get(rank).abort();
            throw t;
          }
        }));
      }
      for (Future<Trainer.Result> f : results) assertEquals(o.steps(), f.get(300, TimeUnit.SECONDS).step());
    } finally {
      pool.shutdownNow();
      backends.forEach(CpuBackend::close);
    }
    return logs.stream().map(ByteArrayOutputStream::toString).toList();
  }

  @Test
  void twoRanksReproduceOneProcessWithTheSameGlobalBatch() throws Exception {
    Path one = tmp.resolve("one");
    Path two = tmp.resolve("two");
    trainOneProcess(options(one, 2, false, 0, 0));
    List<String> logs = trainRanks(options(two, 1, false, 0, 0), 2);
    assertFalse(logs.get(0).isEmpty(), "rank 0 reports");
    assertEquals("", logs.get(1), "rank 1 prints nothing");

    List<JsonNode> a = MetricsLog.read(one.resolve("metrics.jsonl"));
    List<JsonNode> b = MetricsLog.read(two.resolve("metrics.jsonl"));
    assertEquals(STEPS, a.size());
    assertEquals(STEPS, b.size(), "one metrics line per step: only rank 0 logs");
    // Step 0 starts from the same weights over the same samples: the loss is the same number.
    assertEquals(a.get(0).get("loss").asDouble(), b.get(0).get("loss").asDouble(), 0.0);
    for (int s = 0; s < STEPS; s++) {
      assertEquals(s, b.get(s).get("step").asInt());
      assertRel(a.get(s).get("loss").asDouble(), b.get(s).get("loss").asDouble(), 1e-5, "loss " + s);
      assertRel(a.get(s).get("grad_norm").asDouble(), b.get(s).get("grad_norm").asDouble(), 1e-5,
          "grad_norm " + s);
    }
    assertTrue(a.getLast().get("loss").asDouble() < a.getFirst().get("loss").asDouble(), "it learns");
    assertWeightsClose(one.resolve("model.safetensors"), two.resolve("model.safetensors"), 1e-5);
    JsonNode state = Json.read(two.resolve("checkpoints/step-" + String.format("%06d", STEPS)
        + "/" + Checkpoints.STATE_FILE));
    assertEquals(2, state.path("options").path("world").asInt());
  }

  @Test
  void resumeMayRegroupMicroBatchesButNotChangeTheirNumber() throws Exception {
    Path whole = tmp.resolve("whole");
    Path split = tmp.resolve("split");
    trainOneProcess(options(whole, 2, false, 0, 0));
    trainOneProcess(options(split, 2, false, 2, 2)); // stops after 2 steps, checkpointed
    UserError e = assertThrows(UserError.class, () -> trainOneProcess(options(split, 1, true, 0, 2)));
    assertTrue(e.getMessage().contains("--grad-accum × GPUs 2 → 1"), e.getMessage());
    trainRanks(options(split, 1, true, 0, 2), 2); // 2 ranks × 1 = 1 process × 2: allowed
    List<JsonNode> a = MetricsLog.read(whole.resolve("metrics.jsonl"));
    List<JsonNode> b = MetricsLog.read(split.resolve("metrics.jsonl"));
    assertEquals(STEPS, b.size());
    for (int s = 0; s < STEPS; s++) {
      assertRel(a.get(s).get("loss").asDouble(), b.get(s).get("loss").asDouble(), 1e-5, "loss " + s);
    }
  }

  static void assertRel(double expected, double actual, double tol, String what) {
    assertFalse(Double.isNaN(actual) || Double.isNaN(expected), what + " is NaN");
    double rel = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(rel <= tol, what + ": " + actual + " vs " + expected + " (rel " + rel + ")");
  }

  static void assertWeightsClose(Path a, Path b, double tol) throws Exception {
    try (SafeTensorsReader ra = SafeTensorsReader.open(a);
        SafeTensorsReader rb = SafeTensorsReader.open(b)) {
      assertEquals(ra.names(), rb.names());
      double diff = 0, ref = 0;
      for (String n : ra.names()) {
        float[] x = ra.get(n).toFloatArray(), y = rb.get(n).toFloatArray();
        for (int i = 0; i < x.length; i++) {
          diff += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
          ref += (double) x[i] * x[i];
        }
      }
      double rel = Math.sqrt(diff / ref);
      assertFalse(Double.isNaN(rel), "NaN weights");
      assertTrue(rel <= tol, "final weights differ by " + rel);
    }
  }
}
