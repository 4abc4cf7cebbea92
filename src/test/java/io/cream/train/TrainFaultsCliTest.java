package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.cli.Main;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.TensorToWrite;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import io.cream.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `cream train` under faults, as a user sees it: one line on stderr starting "cream: ", exit code 2
 * for a bad input (a concurrent start, an impossible model, NaN weights) and 1 for a failure (a
 * diverging run), never a stack trace, and never "saved the model" after a failure.
 */
class TrainFaultsCliTest {
  @TempDir static Path tmp;
  static Path data, init;

  @BeforeAll
  static void setUp() throws Exception {
    data = TrainFixtures.books(tmp.resolve("data"), 20_000, List.of("carroll-alice"));
    init = TrainFixtures.tinyConfig(tmp.resolve("init.json"), true);
  }

  /** Runs `train` on the tiny model with extra flags; returns {exit code, stdout, stderr}. */
  static Object[] train(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--tokenizer", TrainFixtures.tokenizer().toString(),
        "--data", data.toString(), "--out", out.toString(), "--window", "32", "--factor", "2",
        "--batch", "2", "--steps", "4"));
    List<String> given = Arrays.asList(extra);
    if (!given.contains("--model") && !given.contains("--init")) args.addAll(List.of("--init", init.toString()));
    args.addAll(Arrays.asList(extra));
    PrintStream stdout = System.out, stderr = System.err;
    ByteArrayOutputStream out1 = new ByteArrayOutputStream(), err1 = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out1, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err1, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args.toArray(String[]::new));
      return new Object[] {code, out1.toString(StandardCharsets.UTF_8), err1.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  /** The exit code is {@code code} and stderr ends with one "cream: " line containing {@code expected}. */
  static void assertRefused(Object[] r, int code, String expected) {
    String err = ((String) r[2]).strip();
    String last = err.substring(err.lastIndexOf('\n') + 1);
    assertEquals(code, r[0], err);
    assertTrue(last.startsWith("cream: ") && last.contains(expected), last);
    assertFalse(err.contains("\tat ") || err.contains("Exception"), err);
    assertFalse(((String) r[1]).contains("saved the model") || err.contains("saved the model"), err);
  }

  @Test
  void aDivergingRunExitsWithOneAndSavesNothingNonFinite() {
    Path out = tmp.resolve("diverge");
    Object[] r = train(out, "--lr", "1e30", "--clip", "0", "--warmup", "0", "--save-every", "1");
    assertRefused(r, 1, "training diverged at step ");
    assertFalse(Files.exists(out.resolve("config.json")), "no model is saved");
  }

  @Test
  void aConcurrentStartIsRefused() {
    Path out = tmp.resolve("busy");
    try (RunLock other = RunLock.acquire(out)) {
      assertRefused(train(out), 2, out + " is in use by another training run (pid "
          + ProcessHandle.current().pid());
    }
  }

  @Test
  void anImpossibleModelIsRefusedBeforeAnythingIsAllocated() throws Exception {
    ObjectNode c = (ObjectNode) Json.read(init);
    c.put("hidden_size", 8192).put("intermediate_size", 28672).put("num_hidden_layers", 80)
        .put("num_attention_heads", 64).put("num_key_value_heads", 8).put("vocab_size", 128256);
    Path big = tmp.resolve("llama-70b.json");
    Json.writeAtomically(big, c);
    Path out = tmp.resolve("big");
    long t0 = System.nanoTime();
    Object[] r = train(out, "--init", big.toString());
    assertRefused(r, 2, "training at batch 2 × 32 tokens needs ");
    assertTrue(((String) r[2]).contains("for 69,503,033,344 parameters (config.json: num_hidden_layers 80,"), (String) r[2]);
    assertTrue(((String) r[2]).contains("the model alone does not fit: use a machine with more memory"), (String) r[2]);
    assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "refused at once");
    assertFalse(Files.exists(out), "not even the output folder is made");
  }

  @Test
  void aCheckpointWithNanWeightsIsRefusedNamingTheTensor() throws Exception {
    LlamaConfig c = LlamaConfig.read(init);
    Path model = tmp.resolve("nan-model");
    try (CpuBackend b = new CpuBackend(); LlamaWeights w = WeightInit.random(c, b, 1)) {
      Map<String, TensorToWrite> t = WeightsIO.toWrite(c, w, b, DType.F32);
      String k = "model.layers.0.self_attn.k_proj.weight";
      t.put(k, t.get(k).held()); // its values read now, to be edited
      t.get(k).data()[3] = Float.NaN;
      HfCheckpoint.write(model, c.toJson(), t, TrainFixtures.tokenizer(), 0);
    }
    Path out = tmp.resolve("from-nan");
    assertRefused(train(out, "--model", model.toString()), 2,
        "tensor 'model.layers.0.self_attn.k_proj.weight' in " + model.resolve("model.safetensors") + " holds NaN");
    assertFalse(Files.exists(out.resolve("checkpoints")));
  }

  @Test
  void badNumbersAreRefusedAndDefaultsFitShortRuns() {
    Path out = tmp.resolve("numbers");
    assertRefused(train(out, "--save-every", "-1"), 2, "--save-every must be 0 (only at the end) or positive, got -1");
    assertRefused(train(out, "--keep-checkpoints", "0"), 2, "--keep-checkpoints must be at least 1");
    assertRefused(train(out, "--clip", "-1"), 2, "--clip must be 0 (off) or positive, got -1.0");
    assertRefused(train(out, "--model", tmp.resolve("absent").toString()), 2, "--model folder not found: ");
    assertFalse(Files.exists(out));
    Object[] r = train(out); // --steps 4: --warmup's default (10) shrinks to it
    assertEquals(0, r[0], (String) r[2]);
    assertTrue(((String) r[1]).startsWith("step 4 loss "), (String) r[1]);
  }

  @Test
  void anOutThatIsAFileOrCannotBeMadeIsOneLine() throws Exception {
    Path file = Files.writeString(tmp.resolve("out-file"), "x");
    assertRefused(train(file), 2, "--out " + file + " is a file, not a folder; choose a folder");
    assertRefused(train(Path.of("/proc/cream-train-out")), 2, "/proc/cream-train-out");
  }

  @Test
  void aModelWithAnUnknownRopeScalingIsRefusedAsScoreRefusesIt() throws Exception {
    Path model = Files.createDirectories(tmp.resolve("mystery-rope"));
    Path base = Path.of("models/cream-base-4m");
    try (var files = Files.list(base)) {
      for (Path f : files.toList()) Files.copy(f, model.resolve(f.getFileName()));
    }
    var config = (com.fasterxml.jackson.databind.node.ObjectNode) io.cream.util.Json.read(model.resolve("config.json"));
    config.putObject("rope_scaling").put("rope_type", "mystery").put("factor", 2.0);
    Files.writeString(model.resolve("config.json"), io.cream.util.Json.pretty(config));
    Path out = tmp.resolve("mystery-out");
    assertRefused(train(out, "--model", model.toString()), 2, "mystery");
  }
}
