package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import org.junit.jupiter.api.Test;

class PrecisionTest {
  @Test
  void parsesEveryLabelInAnyCase() {
    for (Precision p : Precision.values()) {
      assertEquals(p, Precision.parse(p.label()));
      assertEquals(p, Precision.parse(p.label().toUpperCase()));
    }
  }

  @Test
  void rejectsUnknownPrecisionWithTheChoices() {
    UserError e = assertThrows(UserError.class, () -> Precision.parse("fp16"));
    assertTrue(e.getMessage().contains("fp32, tf32 or bf16"), e.getMessage());
  }
}
