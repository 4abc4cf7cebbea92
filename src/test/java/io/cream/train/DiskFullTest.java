package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cpu.CpuBackend;
import io.cream.positions.PositionMethod;
import io.cream.rope.RopeType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save that runs out of room (here: a process whose files may not grow past 1 MiB, `ulimit -f`,
 * which fails writes as a full disk does) stops the run with exit code 1 and one line naming the
 * folder, removes its half-written checkpoint, keeps the last good one, and --resume then finishes.
 */
class DiskFullTest {
  @TempDir Path tmp;

  static TrainOptions options(Path out, Path data, Path init, boolean resume, int maxSteps) {
    return TrainOptions.defaults().withInit(init).withTokenizer(TrainFixtures.tokenizer()).withData(data).withOut(out)
        .withWindow(32).withFactor(2).withMethod(PositionMethod.CONTIGUOUS).withRope(RopeType.DEFAULT)
        .withSampleUnit(SampleUnit.PIECES).withSteps(4).withBatch(2).withLr(3e-3).withWarmup(1).withSeed(5)
        .withSaveEvery(2).withResume(resume).withMaxSteps(maxSteps);
  }

  @Test
  void aFailedSaveKeepsTheLastGoodCheckpointAndLeavesNoTemporaryFiles() throws Exception {
    Path data = TrainFixtures.books(tmp.resolve("data"), 20_000, List.of("carroll-alice"));
    Path init = TrainFixtures.tinyConfig(tmp.resolve("init.json"), true);
    Path out = tmp.resolve("out");
    try (CpuBackend b = new CpuBackend()) {
      new Trainer(options(out, data, init, false, 2), b, new PrintStream(new ByteArrayOutputStream())).run();
    }
    Path good = out.resolve("checkpoints/step-000002");
    assertTrue(Files.isDirectory(good));

    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), "io.cream.cli.Main", "train", "--init", init.toString(),
        "--tokenizer", TrainFixtures.tokenizer().toString(), "--data", data.toString(), "--out", out.toString(),
        "--window", "32", "--factor", "2", "--method", "contiguous", "--rope", "none", "--steps", "4",
        "--batch", "2", "--lr", "3e-3", "--warmup", "1", "--seed", "5", "--save-every", "2", "--resume"));
    StringBuilder line = new StringBuilder("ulimit -f 2048; exec"); // 2048 blocks of 512 bytes
    for (String a : cmd) line.append(" '").append(a.replace("'", "'\\''")).append('\'');
    Process p = new ProcessBuilder("bash", "-c", line.toString()).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String last = text.substring(text.lastIndexOf('\n') + 1);
    assertEquals(1, p.exitValue(), text);
    assertTrue(last.startsWith("cream: could not save the checkpoint of step 4 in " + out.resolve("checkpoints")
        + " ("), last);
    assertTrue(last.endsWith("); the last good checkpoint, " + good + ", is kept: make room and resume with"
        + " --resume"), last);
    assertFalse(text.contains("\tat ") || text.contains("saved the model"), text);
    try (Stream<Path> s = Files.walk(out)) {
      List<String> temps = s.map(q -> q.getFileName().toString()).filter(n -> n.contains("tmp")).toList();
      assertEquals(List.of(), temps, "no temporary files are left");
    }

    try (CpuBackend b = new CpuBackend()) {
      new Trainer(options(out, data, init, true, 0), b, new PrintStream(new ByteArrayOutputStream())).run();
    }
    assertEquals(4, MetricsLog.read(out.resolve("metrics.jsonl")).size());
    assertTrue(Files.isRegularFile(out.resolve("config.json")));
  }
}
