package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Prompts as long as possible, never above the target, in tokens of the model's tokenizer. */
class LengthTargetingTest {
  @Test
  void fitterFindsTheLargestFittingCountFromAnyHint() {
    SplittableRandom rng = new SplittableRandom(11);
    for (int trial = 0; trial < 200; trial++) {
      int units = 1 + rng.nextInt(3000);
      int[] tokens = new int[units + 1]; // tokens[n]: cost of n units, nondecreasing
      tokens[0] = 5 + rng.nextInt(40);
      for (int n = 1; n <= units; n++) tokens[n] = tokens[n - 1] + rng.nextInt(6); // steps of 0..5
      int target = rng.nextInt(tokens[units] + 20);
      int expected = -1;
      for (int n = 0; n <= units; n++) if (tokens[n] <= target) expected = n;
      int hint = rng.nextInt(4) == 0 ? -1 : rng.nextInt(units + 1);
      assertEquals(expected, LengthFitter.largestFitting(n -> tokens[n], target, units, hint),
          "trial " + trial + " target " + target + " hint " + hint);
    }
  }

  @Test
  void aGoodHintCostsFewTokenizations() {
    int[] calls = {0};
    int found = LengthFitter.largestFitting(n -> {
      calls[0]++;
      return 10 + 3 * n;
    }, 30_010, 100_000, 9_998);
    assertEquals(10_000, found);
    assertTrue(calls[0] <= 6, "calls " + calls[0]);
  }

  private static EvalOptions options(int... lengths) {
    return EvalOptions.defaults().withLengths(java.util.Arrays.stream(lengths).boxed().toList()).withSeed(5)
        .withHaystackDir(TestHaystack.folder());
  }

  @Test
  void passkeyAndNeedlePromptsLandJustBelowTheTarget() {
    WordModel model = new OracleModel(Integer.MAX_VALUE);
    // A passkey filler sentence is at most 4 words and the needle's haystack grows by a token, so the
    // best prompt is within 3 tokens of the target.
    for (GenerativeTask task : List.of(new PasskeyTask(), new NeedleTask())) {
      for (int target : new int[] {97, 256, 1000}) {
        for (double depth : new double[] {0, 40, 100}) {
          TaskPrompt p = task.prompt(new Cell(target, depth), 1, model, options(target));
          assertEquals(model.encode(p.text()).length, p.ids().length);
          assertTrue(p.ids().length <= target && p.ids().length >= target - 3,
              task.name() + " target " + target + " got " + p.ids().length);
        }
      }
    }
  }

  @Test
  void linesAddLinesUntilTheTarget() {
    WordModel model = new OracleModel(Integer.MAX_VALUE);
    LinesTask task = new LinesTask();
    for (int target : new int[] {120, 333, 2000}) {
      for (int sample = 0; sample < 3; sample++) {
        TaskPrompt p = task.prompt(new Cell(target, null), sample, model, options(target));
        // Each line is 5 words; the question's length does not depend on which line it asks.
        assertTrue(p.ids().length <= target && p.ids().length > target - 5, "target " + target + " got " + p.ids().length);
        assertEquals(p.items(), p.text().lines().filter(l -> l.startsWith("line ")).count());
        long names = p.text().lines().filter(l -> l.startsWith("line ")).map(l -> l.substring(0, l.indexOf(':'))).distinct().count();
        assertEquals(p.items(), names, "line names are unique within a prompt");
        assertTrue(p.text().contains("line " + p.query() + ": REGISTER_CONTENT is <" + p.expected() + ">\n"));
      }
    }
  }

  @Test
  void tokenizationIsCountedOncePerProbeNotPerSentence() {
    AtomicInteger encodes = new AtomicInteger();
    WordModel model = new OracleModel(Integer.MAX_VALUE) {
      @Override
      public synchronized int[] encode(String text) {
        encodes.incrementAndGet();
        return super.encode(text);
      }
    };
    PasskeyTask task = new PasskeyTask();
    EvalOptions o = options(4000);
    task.prompt(new Cell(4000, 50.0), 0, model, o);
    int first = encodes.getAndSet(0);
    task.prompt(new Cell(4000, 50.0), 1, model, o); // starts from the first sample's answer
    assertTrue(encodes.get() <= 8 && encodes.get() < first, "first " + first + ", hinted " + encodes.get());
  }

  @Test
  void aTargetShorterThanTheBarePromptIsAUserError() {
    WordModel model = new OracleModel(Integer.MAX_VALUE);
    UserError e = assertThrows(UserError.class, () -> new PasskeyTask().prompt(new Cell(20, 50.0), 0, model, options(20)));
    assertTrue(e.getMessage().contains("length 20"), e.getMessage());
  }
}
