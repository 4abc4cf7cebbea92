package io.cream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.io.TextTokenizer;
import io.cream.testutil.ChatModels;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Streamed text: pieces add up to the decoded text, cut before the first stop string, never past it. */
class TextStreamTest {
  static TextTokenizer tok;

  @BeforeAll
  static void load() {
    tok = TextTokenizer.load(ChatModels.BASE);
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  static String run(TextStream s, int[] tokens, StringBuilder seen) {
    StringBuilder out = new StringBuilder();
    for (int t : tokens) {
      String piece = s.add(t);
      out.append(piece);
      seen.append(piece);
    }
    return out.append(s.finish()).toString();
  }

  @Test
  void piecesAddUpToTheDecodedText() {
    int[] prompt = tok.encode("The story:");
    int[] gen = tok.encodePlain(" and then the king said: “Yes — café”, twice.");
    String whole = tok.decode(concat(prompt, gen), true).substring(tok.decode(prompt, true).length());
    assertEquals(whole, run(new TextStream(tok, prompt, List.of()), gen, new StringBuilder()));
  }

  @Test
  void aStopStringCutsTheTextAndIsNeverStreamed() {
    int[] prompt = tok.encode("The story:");
    int[] gen = tok.encodePlain("and then the king said: yes, and the queen said: no."); // SentencePiece adds the space
    TextStream s = new TextStream(tok, prompt, List.of("the queen", "said: maybe"));
    StringBuilder seen = new StringBuilder();
    String text = run(s, gen, seen);
    assertTrue(s.stopped());
    assertEquals(" and then the king said: yes, and ", text);
    assertFalse(seen.toString().contains("the q"), "no part of the stop string went out: " + seen);
  }

  static int[] concat(int[] a, int[] b) {
    int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
