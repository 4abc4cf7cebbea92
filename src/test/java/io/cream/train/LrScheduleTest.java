package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import org.junit.jupiter.api.Test;

class LrScheduleTest {
  private static final double TOL = 1e-15;

  @Test
  void linearWarmupThenDecayByHand() {
    // peak 1.0, W = 4, K = 12: warm-up 0, .25, .5, .75; then (12−s)/8 for s = 4 … 11.
    LrSchedule s = LrSchedule.linear(1.0, 4, 12);
    double[] expected = {0, 0.25, 0.5, 0.75, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125};
    for (int step = 0; step < 12; step++) assertEquals(expected[step], s.lr(step), TOL, "step " + step);
  }

  @Test
  void paperBaseRecipe() {
    // 2e-5, 10 warm-up steps, 1000 steps: step 1 = 2e-6, step 10 = peak, step 505 = 2e-5·495/990.
    LrSchedule s = LrSchedule.linear(2e-5, 10, 1000);
    assertEquals(0.0, s.lr(0), 0.0);
    assertEquals(2e-6, s.lr(1), 1e-20);
    assertEquals(1.8e-5, s.lr(9), 1e-20);
    assertEquals(2e-5, s.lr(10), 1e-20);
    assertEquals(1e-5, s.lr(505), 1e-20);
    assertEquals(2e-5 / 990, s.lr(999), 1e-22);
    assertTrue(s.lr(999) > 0);
  }

  @Test
  void noWarmupStartsAtPeak() {
    LrSchedule s = LrSchedule.linear(3.0, 0, 3);
    assertEquals(3.0, s.lr(0), TOL);
    assertEquals(2.0, s.lr(1), TOL);
    assertEquals(1.0, s.lr(2), TOL);
  }

  @Test
  void cosineByHand() {
    // W = 2, K = 6: decay over 4 steps, progress 0, 1/4, 1/2, 3/4 → ½(1+cos(πp)).
    LrSchedule s = LrSchedule.cosine(2.0, 2, 6);
    assertEquals(0.0, s.lr(0), TOL);
    assertEquals(1.0, s.lr(1), TOL);
    assertEquals(2.0, s.lr(2), TOL);
    assertEquals(1.0 + Math.sqrt(0.5), s.lr(3), 1e-14); // 2·½(1+√½)
    assertEquals(1.0, s.lr(4), 1e-14);
    assertEquals(1.0 - Math.sqrt(0.5), s.lr(5), 1e-14);
  }

  @Test
  void constantAfterWarmup() {
    LrSchedule s = LrSchedule.constant(0.5, 2, 5);
    double[] expected = {0, 0.25, 0.5, 0.5, 0.5};
    for (int step = 0; step < 5; step++) assertEquals(expected[step], s.lr(step), TOL);
  }

  @Test
  void warmupOverWholeRunNeverDecays() {
    LrSchedule s = LrSchedule.linear(1.0, 5, 5);
    assertEquals(0.8, s.lr(4), TOL);
  }

  @Test
  void badArgumentsAreUserErrors() {
    assertThrows(UserError.class, () -> LrSchedule.linear(0, 0, 10));
    assertThrows(UserError.class, () -> LrSchedule.linear(Double.NaN, 0, 10));
    assertThrows(UserError.class, () -> LrSchedule.linear(1e-5, 11, 10));
    assertThrows(UserError.class, () -> LrSchedule.linear(1e-5, -1, 10));
    assertThrows(UserError.class, () -> LrSchedule.linear(1e-5, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1e-5, 0, 10).lr(10));
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(1e-5, 0, 10).lr(-1));
  }

  @Test
  void parsesDecayNames() {
    assertEquals(LrSchedule.Decay.COSINE, LrSchedule.Decay.parse(" Cosine"));
    assertEquals("linear", LrSchedule.Decay.LINEAR.toString());
    UserError e = assertThrows(UserError.class, () -> LrSchedule.Decay.parse("step"));
    assertTrue(e.getMessage().contains("linear, cosine, constant"));
  }
}
