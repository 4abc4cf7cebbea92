package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cpu.CpuBackend;
import io.cream.cli.Main;
import io.cream.io.SafeTensorsReader;
import io.cream.positions.PositionMethod;
import io.cream.rope.RopeType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --offload optimizer on the CPU backend: fp32 masters and AdamW moments in native host memory,
 * gradients copied out after the backward, AdamW on the host, weights copied back. The loss
 * curve, the gradient norms, the checkpoints (weights and optimizer state) and the final model are
 * bit-identical to a run that keeps everything on the device, with clipping active; a run may
 * switch between the two on resume.
 */
class OffloadTest {
  @TempDir static Path tmp;
  static Path data, init;

  @BeforeAll
  static void setUp() throws Exception {
    data = TrainFixtures.books(tmp.resolve("data"), 40_000, List.of("carroll-alice"));
    init = TrainFixtures.tinyConfig(tmp.resolve("init.json"), false);
  }

  static TrainOptions options(Path out, Offload offload) {
    // --clip 0.5 clips every step here (norms are ~1 or more), so the clip factor is exercised.
    return TrainOptions.defaults().withInit(init).withTokenizer(TrainFixtures.tokenizer()).withData(data)
        .withOut(out).withWindow(48).withFactor(4).withMethod(PositionMethod.CREAM).withRope(RopeType.YARN)
        .withSteps(6).withBatch(2).withGradAccum(2).withLr(3e-3).withWarmup(2).withSeed(11).withClip(0.5)
        .withWeightDecay(0.1).withSaveEvery(3).withOffload(offload);
  }

  static String train(TrainOptions o) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CpuBackend b = new CpuBackend()) {
      new Trainer(o, b, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    }
    return log.toString(StandardCharsets.UTF_8);
  }

  static List<String> metrics(Path out) throws Exception {
    return Files.readAllLines(out.resolve("metrics.jsonl")).stream()
        .map(l -> l.replaceAll("\"tokens_per_s\":[^,}]*", "")).toList();
  }

  static void assertSameTensors(Path a, Path b) {
    try (SafeTensorsReader x = SafeTensorsReader.open(a); SafeTensorsReader y = SafeTensorsReader.open(b)) {
      assertEquals(x.names(), y.names());
      for (String n : x.names()) assertArrayEquals(x.get(n).toFloatArray(), y.get(n).toFloatArray(), 0f, n);
    }
  }

  @Test
  void anOffloadedRunIsBitIdenticalToOneOnTheDevice() throws Exception {
    Path device = tmp.resolve("device"), host = tmp.resolve("host");
    String deviceLog = train(options(device, Offload.NONE));
    String hostLog = train(options(host, Offload.OPTIMIZER));
    assertTrue(deviceLog.contains("optimizer state: on cpu"), deviceLog);
    assertTrue(hostLog.contains("optimizer state: in host memory ("), hostLog);
    assertTrue(hostLog.contains("memory plan: "), hostLog);
    List<String> curve = metrics(device);
    assertEquals(6, curve.size());
    assertEquals(curve, metrics(host)); // losses, learning rates and gradient norms, every digit
    for (var line : MetricsLog.read(host.resolve("metrics.jsonl"))) {
      assertTrue(line.get("grad_norm").asDouble() > 0.5, "every step clips: " + line);
    }
    for (String f : List.of("model.safetensors", "checkpoints/step-000003/model.safetensors",
        "checkpoints/step-000003/optimizer.safetensors", "checkpoints/step-000006/optimizer.safetensors")) {
      assertSameTensors(device.resolve(f), host.resolve(f));
    }
  }

  @Test
  void aRunMaySwitchBetweenDeviceAndHostOnResume() throws Exception {
    Path whole = tmp.resolve("whole"), split = tmp.resolve("split");
    train(options(whole, Offload.NONE));
    train(options(split, Offload.OPTIMIZER).withMaxSteps(3));
    train(options(split, Offload.NONE).withResume(true));
    assertEquals(metrics(whole), metrics(split));
    assertSameTensors(whole.resolve("model.safetensors"), split.resolve("model.safetensors"));
  }

  /** Runs `cream train` on the tiny model with extra flags; returns {exit code, stdout, stderr}. */
  static Object[] cli(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--init", init.toString(), "--tokenizer",
        TrainFixtures.tokenizer().toString(), "--data", data.toString(), "--out", out.toString(), "--window", "32",
        "--factor", "2", "--batch", "2", "--steps", "2"));
    args.addAll(List.of(extra));
    PrintStream stdout = System.out, stderr = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
    System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args.toArray(String[]::new));
      return new Object[] {code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @Test
  void planPrintsTheTableAndTrainsNothing() {
    Path out = tmp.resolve("plan-only");
    Object[] r = cli(out, "--plan", "--offload", "optimizer", "--recompute");
    assertEquals(0, r[0], (String) r[2]);
    String plan = (String) r[1];
    assertTrue(plan.startsWith("memory plan: "), plan);
    assertTrue(plan.contains("--recompute, fp32 products, optimizer state in host memory (--offload optimizer)"), plan);
    assertTrue(plan.contains("\n  master weights (fp32) "), plan);
    assertTrue(plan.contains("\n  total "), plan);
    assertTrue(plan.strip().endsWith("fits"), plan);
    assertFalse(Files.exists(out), "--plan makes no folder");
  }

  @Test
  void offloadIsAnOptionOfTheCommandLine() {
    Object[] r = cli(tmp.resolve("cli-host"), "--offload", "optimizer", "--no-save");
    assertEquals(0, r[0], (String) r[2]);
    assertTrue(((String) r[2]).contains("optimizer state: in host memory"), (String) r[2]);
    assertTrue(((String) r[2]).contains("nothing saved (--no-save)"), (String) r[2]);
    assertFalse(Files.exists(tmp.resolve("cli-host/model.safetensors")));
    r = cli(tmp.resolve("cli-bad"), "--offload", "gpu");
    assertEquals(2, r[0]);
    assertTrue(((String) r[2]).contains("--offload must be auto, none or optimizer, got 'gpu'"), (String) r[2]);
  }
}
