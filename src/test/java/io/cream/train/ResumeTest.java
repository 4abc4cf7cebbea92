package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.positions.PositionMethod;
import io.cream.util.Json;
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
 * --resume continues only the run that was started: changed settings are refused with the list of
 * changes, a damaged or edited trainer-state.json is refused, settings that do not change the
 * weights may change, and the folder is locked while a run (or a resume) is going on.
 */
class ResumeTest {
  @TempDir static Path tmp;
  static Path data, initConfig, tokenizer;

  @BeforeAll
  static void setUp() throws Exception {
    tokenizer = TrainFixtures.tokenizer();
    data = TrainFixtures.books(tmp.resolve("data"), 30_000, List.of("carroll-alice"));
    initConfig = TrainFixtures.tinyConfig(tmp.resolve("init.json"), true);
  }

  /** 4 steps at window 32, checkpointed every 2; the arguments are the settings tests change. */
  static TrainOptions options(Path out, Path data, int window, double lr, long seed, boolean resume,
      int maxSteps, int saveEvery, int keep) {
    return TrainOptions.defaults().withInit(initConfig).withTokenizer(tokenizer).withData(data).withOut(out)
        .withWindow(window).withFactor(4).withMethod(PositionMethod.POSE).withSampleUnit(SampleUnit.PIECES)
        .withSteps(4).withBatch(2).withLr(lr).withWarmup(1).withSeed(seed).withSaveEvery(saveEvery)
        .withKeepCheckpoints(keep).withResume(resume).withMaxSteps(maxSteps);
  }

  static TrainOptions resume(Path out) {
    return options(out, data, 32, 3e-3, 5, true, 0, 2, 2);
  }

  /** Trains; returns what the run logged. */
  static String train(TrainOptions o) throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try (CpuBackend b = new CpuBackend()) {
      new Trainer(o, b, new PrintStream(log, true)).run();
    }
    return log.toString();
  }

  /** A run stopped after step 2 of 4 (checkpoint step-000002). */
  static Path stoppedRun(String name) throws Exception {
    Path out = tmp.resolve(name);
    train(options(out, data, 32, 3e-3, 5, false, 2, 2, 2));
    assertTrue(Files.isDirectory(out.resolve("checkpoints/step-000002")));
    return out;
  }

  @Test
  void changedSettingsAreRefusedNamingEachChange() throws Exception {
    Path out = stoppedRun("changed");
    UserError e = assertThrows(UserError.class,
        () -> train(options(out, data, 24, 2e-3, 6, true, 0, 2, 2)));
    String m = e.getMessage();
    assertTrue(m.startsWith("--resume would continue the run in " + out + " with other settings ("), m);
    assertTrue(m.contains("--window 32 → 24; --lr 0.003 → 0.002; --seed 5 → 6); repeat the run's own"
        + " settings (" + out.resolve(RunSettings.FILE) + "), or start a new --out"), m);
    assertEquals(2, MetricsLog.read(out.resolve("metrics.jsonl")).size(), "nothing was trained");

    // The data: another file in the folder is another run's data.
    Path moreData = TrainFixtures.books(tmp.resolve("more-data"), 30_000, List.of("carroll-alice"));
    Path changed = stoppedRunOn(moreData);
    Files.writeString(moreData.resolve("extra.txt"), "one more document");
    e = assertThrows(UserError.class, () -> train(options(changed, moreData, 32, 3e-3, 5, true, 0, 2, 2)));
    assertTrue(e.getMessage().contains("--data files 1 file(s), 29.3 KiB, #"), e.getMessage());
    assertTrue(e.getMessage().contains("→ 2 file(s), 29.3 KiB, #"), e.getMessage());
  }

  private static Path stoppedRunOn(Path data) throws Exception {
    Path out = tmp.resolve("changed-data");
    train(options(out, data, 32, 3e-3, 5, false, 2, 2, 2));
    return out;
  }

  @Test
  void settingsThatDoNotChangeTheWeightsMayChange() throws Exception {
    Path out = stoppedRun("free");
    String log = train(options(out, data, 32, 3e-3, 5, true, 0, 1, 3)); // --save-every, --keep-checkpoints
    assertTrue(log.contains("resuming from " + out.resolve("checkpoints/step-000002") + " at step 2"), log);
    assertTrue(Files.isRegularFile(out.resolve("config.json")));
    // Resuming a finished run does nothing, and says so.
    log = train(resume(out));
    assertTrue(log.contains("is already complete (step 4); nothing to do"), log);
  }

  @Test
  void editedOrDamagedTrainerStateIsRefused() throws Exception {
    Path out = stoppedRun("edited");
    Path state = out.resolve("checkpoints/step-000002/" + Checkpoints.STATE_FILE);
    ObjectNode s = (ObjectNode) Json.read(state);
    s.put("step", 999);
    Json.writeAtomically(state, s);
    UserError e = assertThrows(UserError.class, () -> train(resume(out)));
    assertEquals(state + " says step 999 but its folder holds step 2: the checkpoint is damaged or was"
        + " edited; remove " + state.getParent() + " to resume from the one before", e.getMessage());

    s.put("step", 9);
    Json.writeAtomically(state, s);
    Path beyond = Files.move(state.getParent(), out.resolve("checkpoints/step-000009"));
    e = assertThrows(UserError.class, () -> train(resume(out)));
    assertTrue(e.getMessage().startsWith(beyond + " is step 9, beyond --steps 4"), e.getMessage());
    assertEquals(2, MetricsLog.read(out.resolve("metrics.jsonl")).size());
    assertFalse(Files.exists(out.resolve("config.json")), "no model saved");
  }

  @Test
  void aResumeWhileTheRunGoesOnIsRefused() throws Exception {
    Path out = stoppedRun("busy");
    try (RunLock running = RunLock.acquire(out)) { // the run, still going on
      UserError e = assertThrows(UserError.class, () -> train(resume(out)));
      assertTrue(e.getMessage().startsWith(out + " is in use by another training run (pid "), e.getMessage());
      e = assertThrows(UserError.class, () -> train(options(out, data, 32, 3e-3, 5, false, 0, 2, 2)));
      assertTrue(e.getMessage().contains("is in use by another training run"), e.getMessage());
    }
    assertEquals(2, MetricsLog.read(out.resolve("metrics.jsonl")).size(), "the run's metrics are untouched");
    train(resume(out));
    assertEquals(4, MetricsLog.read(out.resolve("metrics.jsonl")).size());
  }

  @Test
  void leftoversAreRemovedOnResumeAndReported() throws Exception {
    Path out = stoppedRun("leftovers");
    Path tmpCk = Files.createDirectories(out.resolve("checkpoints/.tmp-step-4-123"));
    Files.write(tmpCk.resolve("model.safetensors"), new byte[2048]);
    Files.write(out.resolve(".model.safetensors.456.tmp"), new byte[1024]);
    String log = train(resume(out));
    assertTrue(log.contains("removed leftovers of interrupted saves in " + out + ": 3.0 KiB in 2 file(s)"
        + " or folder(s)"), log);
    assertFalse(Files.exists(tmpCk));
  }
}
