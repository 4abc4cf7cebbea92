package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden strings: every task's prompt, complete, compared to a literal. */
class PromptTemplatesTest {
  private static final String INTRO = "There is an important info hidden inside a lot of irrelevant text. "
      + "Find it and memorize it. I will quiz you about the important information there.";
  private static final String FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

  @Test
  void passkeyPartsAreJoinedByNewlines() {
    String expected = INTRO + "\n"
        + FILLER + "\n"
        + "The pass key is 12345. Remember it. 12345 is the pass key.\n"
        + FILLER + "\n"
        + "What is the pass key? The pass key is";
    assertEquals(expected, PasskeyTask.prompt("12345", 10, 50));
  }

  @Test
  void passkeyAtTheEdgesLeavesNoEmptyPart() {
    assertEquals(INTRO + "\nThe pass key is 80417. Remember it. 80417 is the pass key.\n"
            + "The grass is green. The sky is blue. The sun is yellow.\nWhat is the pass key? The pass key is",
        PasskeyTask.prompt("80417", 3, 0));
    assertEquals(INTRO + "\nThe grass is green. The sky is blue.\n"
            + "The pass key is 80417. Remember it. 80417 is the pass key.\nWhat is the pass key? The pass key is",
        PasskeyTask.prompt("80417", 2, 100));
    // 7 sentences at 33%: the key goes after round(2.31) = 2 sentences; the filler wraps around.
    assertEquals(INTRO + "\nThe grass is green. The sky is blue.\n"
            + "The pass key is 55555. Remember it. 55555 is the pass key.\n"
            + "The sun is yellow. Here we go. There and back again. The grass is green. The sky is blue.\n"
            + "What is the pass key? The pass key is",
        PasskeyTask.prompt("55555", 7, 33));
  }

  @Test
  void needleWithTheDefaultFiller() {
    assertEquals("The grass is green. The sky is blue. The best thing to do in San Francisco is eat a sandwich and "
            + "sit in Dolores Park on a sunny day. The sun is yellow. Here we go.\n\n"
            + "What is the best thing to do in San Francisco? Answer:",
        NeedleTask.prompt(Haystack.filler(), 4, 50));
    assertEquals("The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day. "
            + "The grass is green. The sky is blue.\n\nWhat is the best thing to do in San Francisco? Answer:",
        NeedleTask.prompt(Haystack.filler(), 2, 0));
  }

  @Test
  void needleGoesBetweenSentencesOfAFolderText() {
    Haystack h = Haystack.fromText("Alpha beta. Gamma!\nDelta? Epsilon");
    assertEquals("Alpha beta. Gamma!\nDelta? The best thing to do in San Francisco is eat a sandwich and sit in "
            + "Dolores Park on a sunny day.\n\nWhat is the best thing to do in San Francisco? Answer:",
        NeedleTask.prompt(h, 3, 100));
    assertEquals("Alpha beta. The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a "
            + "sunny day. Gamma!\nDelta?\n\nWhat is the best thing to do in San Francisco? Answer:",
        NeedleTask.prompt(h, 3, 34));
  }

  @Test
  void kvRecordsAndPrompt() {
    var pairs = List.of(
        new KvRetrievalTask.Pair("9f1c0a52-6d3e-4b7a-8c21-0e5f4d3c2b1a", "1b2c3d4e-5f60-4718-a9b0-c1d2e3f4a5b6"),
        new KvRetrievalTask.Pair("a0b1c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d", "f0e1d2c3-b4a5-4968-8778-695a4b3c2d1e"),
        new KvRetrievalTask.Pair("00112233-4455-4677-8899-aabbccddeeff", "ffeeddcc-bbaa-4998-b877-665544332211"));
    String expected = "Extract the value corresponding to the specified key in the JSON object below.\n\n"
        + "JSON data:\n"
        + "{\"9f1c0a52-6d3e-4b7a-8c21-0e5f4d3c2b1a\": \"1b2c3d4e-5f60-4718-a9b0-c1d2e3f4a5b6\",\n"
        + " \"a0b1c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d\": \"f0e1d2c3-b4a5-4968-8778-695a4b3c2d1e\",\n"
        + " \"00112233-4455-4677-8899-aabbccddeeff\": \"ffeeddcc-bbaa-4998-b877-665544332211\"}\n\n"
        + "Key: \"a0b1c2d3-e4f5-4a6b-9c7d-8e9f0a1b2c3d\"\n"
        + "Corresponding value:";
    assertEquals(expected, KvRetrievalTask.prompt(pairs, 1));
    assertEquals("{\"k\": \"v\"}", KvRetrievalTask.records(List.of(new KvRetrievalTask.Pair("k", "v"))));
  }

  @Test
  void linesPrompt() {
    var lines = List.of(new LinesTask.Line("happy-apple", 123), new LinesTask.Line("red-boat", 45678),
        new LinesTask.Line("unused-line", 9));
    String expected = "Below is a record of lines I want you to remember. Each line begins with 'line <line index>' "
        + "and contains a '<REGISTER_CONTENT>' at the end of the line as a numerical value. For each line index, "
        + "memorize its corresponding <REGISTER_CONTENT>. At the end of the record, I will ask you to retrieve the "
        + "corresponding <REGISTER_CONTENT> of a certain line index. Now the record start:\n\n"
        + "line happy-apple: REGISTER_CONTENT is <123>\n"
        + "line red-boat: REGISTER_CONTENT is <45678>\n"
        + "\nNow the record is over. Tell me what is the <REGISTER_CONTENT> in line red-boat? I need the number.";
    assertEquals(expected, LinesTask.prompt(lines, 2, 1));
  }
}
