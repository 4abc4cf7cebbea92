package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.positions.PositionMethod;
import io.cream.train.TrainOptions;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainCommandTest {
  /** TrainOptions.defaults() are `cream train`'s: only the flags train requires differ. */
  @Test
  void trainOptionsDefaultsAreTrainsDefaults() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("--data", "d", "--out", "o", "--window", "72", "--steps", "100");
    TrainOptions expected = TrainOptions.defaults().withData(Path.of("d")).withOut(Path.of("o")).withWindow(72)
        .withSteps(100);
    assertEquals(expected, train.options());
  }

  @Test
  void validateHoldsTrainsChecks() {
    TrainOptions o = TrainOptions.defaults().withWindow(72).withSteps(4).withWarmup(5);
    UserError e = assertThrows(UserError.class, o::validate);
    assertEquals("--warmup must be between 0 and --steps (4), got 5", e.getMessage());
    o.withWarmup(4).validate();
  }

  /**
   * One rule for --factor, the position samplers': f ≥ 2 where ids are drawn from a longer target
   * window (cream, pose, randpos), f ≥ 1 for contiguous ids (f only scales the RoPE there).
   */
  @Test
  void factorRuleIsThePositionMethods() {
    TrainOptions o = TrainOptions.defaults().withWindow(72).withSteps(4).withWarmup(0).withFactor(1);
    o.withMethod(PositionMethod.CONTIGUOUS).validate();
    for (PositionMethod m : List.of(PositionMethod.CREAM, PositionMethod.POSE, PositionMethod.RANDPOS)) {
      UserError e = assertThrows(UserError.class, o.withMethod(m)::validate);
      assertTrue(e.getMessage().startsWith("--factor must be at least 2 for " + m.cliName() + " (got 1)"), e.getMessage());
    }
    UserError zero = assertThrows(UserError.class, o.withMethod(PositionMethod.CONTIGUOUS).withFactor(0)::validate);
    assertTrue(zero.getMessage().startsWith("--factor must be at least 1 for contiguous (got 0)"), zero.getMessage());
    // CREAM's own limit comes from the same place: 8f < N.
    assertThrows(UserError.class, TrainOptions.defaults().withWindow(64).withSteps(4).withWarmup(0)::validate);
  }
}
