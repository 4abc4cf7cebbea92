package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Scorers on hand-made replies. */
class ScoringTest {
  private static TaskPrompt expecting(String expected) {
    return new TaskPrompt("", new int[] {1}, expected, 0, null, null);
  }

  @Test
  void passkeyIsTheFirstNumberOfTheReply() {
    PasskeyTask task = new PasskeyTask();
    assertTrue(task.score(" 12345. Remember", expecting("12345")).correct());
    assertTrue(task.score("12345", expecting("12345")).correct());
    assertFalse(task.score("1234", expecting("12345")).correct());
    assertFalse(task.score("123456", expecting("12345")).correct());
    assertFalse(task.score("It is 54321, not 12345.", expecting("12345")).correct());
    assertFalse(task.score("no digits here", expecting("12345")).correct());
    // Compared as numbers, as the reference's int(...) == key: leading zeros do not matter.
    assertTrue(task.score(" 00417.", expecting("417")).correct());
    assertFalse(task.score(" 4170.", expecting("417")).correct());
  }

  @Test
  void passkeyPartialCreditIsTheKeysLeadingDigitsInTheReplysNumber() {
    PasskeyTask task = new PasskeyTask();
    assertEquals(1.0, task.score(" 608.", expecting("608")).partial());
    // The key found but the number not ended: wrong by the reference's score, full partial credit.
    assertFalse(task.score(" 608888888", expecting("608")).correct());
    assertEquals(1.0, task.score(" 608888888", expecting("608")).partial());
    assertEquals(0.4, task.score("21", expecting("21000")).partial(), 1e-12);
    assertEquals(0.0, task.score("800000000", expecting("608")).partial());
    assertEquals(0.0, task.score("no digits", expecting("608")).partial());
    assertEquals(1.0, task.score(" 00417", expecting("417")).partial());
    assertEquals(0.0, task.score("It is 54321, not 12345.", expecting("12345")).partial());
  }

  @Test
  void linesParsesTheFirstInteger() {
    assertEquals("42", Answers.firstInteger("<42>"));
    assertEquals("7", Answers.firstInteger("line 7 holds 123"));
    assertEquals("007", Answers.firstInteger("code 007"));
    assertNull(Answers.firstInteger("none"));
    LinesTask task = new LinesTask();
    assertTrue(task.score(" 31415.", expecting("31415")).correct());
    assertTrue(task.score("The <REGISTER_CONTENT> is <31415>", expecting("31415")).correct());
    assertFalse(task.score("3141", expecting("31415")).correct());
    assertFalse(task.score("12 then 31415", expecting("31415")).correct());
  }

  @Test
  void needleScoresRougeLOfTheFirstLine() {
    NeedleTask task = new NeedleTask();
    TaskPrompt p = expecting(NeedleTask.NEEDLE);
    assertEquals(1.0, task.score(" " + NeedleTask.NEEDLE + "\nUSER: more", p).rougeL(), 1e-12);
    // 12 of the needle's 21 words, in order, and nothing else: P = 1, R = 12/21.
    double r = 12 / 21.0;
    assertEquals(2 * r / (1 + r), task.score("Eat a sandwich and sit in Dolores Park on a sunny day.", p).rougeL(), 1e-12);
    // Only the first line counts.
    assertEquals(0.0, task.score("No idea.\n" + NeedleTask.NEEDLE, p).rougeL());
  }

  @Test
  void rougeLIsTheF1OfTheLongestCommonSubsequence() {
    assertEquals(1.0, RougeL.f1("The cat sat.", "the CAT sat"), 1e-12);
    // LCS of "a b c d" and "a c b d" is 3 (a b d or a c d): P = R = 3/4.
    assertEquals(0.75, RougeL.f1("a b c d", "a c b d"), 1e-12);
    // LCS 2 ("x z"), P = 2/3, R = 2/5 → F1 = 0.5.
    assertEquals(0.5, RougeL.f1("x y z", "x q z r s"), 1e-12);
    assertEquals(0.0, RougeL.f1("", "a b"));
    assertEquals(0.0, RougeL.f1("c d", "a b"));
    assertEquals(java.util.List.of("dolores", "park", "2024"), RougeL.words("Dolores-Park, 2024!"));
  }

  @Test
  void needleContainsTheKeyPhraseIgnoringCaseAndWhitespace() {
    NeedleTask task = new NeedleTask();
    TaskPrompt p = expecting(NeedleTask.NEEDLE);
    Score full = task.score(" To EAT a sandwich and\n  sit in dolores park on a sunny day.", p);
    assertTrue(full.correct());
    assertEquals(1.0, full.partial());
    Score half = task.score("Sit in Dolores Park.", p);
    assertFalse(half.correct());
    assertEquals(3 / 5.0, half.partial(), 1e-15);
    Score none = task.score("Visit the Golden Gate Bridge.", p);
    assertFalse(none.correct());
    assertEquals(0.0, none.partial());
    // Whole words only: "parking" is not "park".
    assertEquals(0.0, task.score("parking", p).partial());
  }

  @Test
  void kvNeedsTheGoldValueAnywhereInTheReply() {
    KvRetrievalTask task = new KvRetrievalTask();
    String v = "1b2c3d4e-5f60-4718-a9b0-c1d2e3f4a5b6";
    assertTrue(task.score(" \"" + v + "\"\n\nKey:", expecting(v)).correct());
    assertFalse(task.score("1b2c3d4e-5f60-4718-a9b0", expecting(v)).correct());
    // Case is ignored, as the reference lower-cases both sides.
    assertTrue(task.score("\"" + v.toUpperCase(java.util.Locale.ROOT) + "\"", expecting(v)).correct());
  }
}
