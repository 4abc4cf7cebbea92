package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cream.train.TrainOptions;
import io.cream.util.UserError;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class TrainCommandTest {
  /** TrainOptions.defaults() are `cream train`'s: only the flags train requires differ. */
  @Test
  void trainOptionsDefaultsAreTrainsDefaults() {
    TrainCommand train = new TrainCommand();
    new CommandLine(train).parseArgs("--data", "d", "--out", "o", "--window", "32", "--steps", "100");
    TrainOptions expected = TrainOptions.defaults().withData(Path.of("d")).withOut(Path.of("o")).withWindow(32)
        .withSteps(100);
    assertEquals(expected, train.options());
  }

  @Test
  void validateHoldsTrainsChecks() {
    TrainOptions o = TrainOptions.defaults().withWindow(32).withSteps(4).withWarmup(5);
    UserError e = assertThrows(UserError.class, o::validate);
    assertEquals("--warmup must be between 0 and --steps (4), got 5", e.getMessage());
    o.withWarmup(4).validate();
  }
}
