package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden strings: every task's model input, complete (chat template included), compared to a
 * literal written from the documented formats (docs/eval-tasks.md, docs/method.md §5).
 */
class PromptTemplatesTest {
  private static final String VICUNA_SYSTEM = "A chat between a curious user and an artificial intelligence assistant. "
      + "The assistant gives helpful, detailed, and polite answers to the user's questions.";
  private static final String INTRO = "There is an important info hidden inside a lot of irrelevant text. "
      + "Find it and memorize them. I will quiz you about the important information there.";
  private static final String FILLER = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

  @Test
  void vicunaTemplateJoinsSystemUserAndAssistantWithSpaces() {
    assertEquals(VICUNA_SYSTEM + " USER: Hello? ASSISTANT:", ChatTemplate.VICUNA.wrap("Hello?"));
    assertEquals("Hello?", ChatTemplate.NONE.wrap("Hello?"));
  }

  @Test
  void passkeyIsPosesFiveLinesWithTheFillerRepeatedWithoutSeparators() {
    String expected = INTRO + "\n"
        + FILLER + FILLER + "\n"
        + "The pass key is 12345. Remember it. 12345 is the pass key.\n"
        + FILLER + FILLER + "\n"
        + "What is the pass key? The pass key is";
    assertEquals(expected, PasskeyTask.prompt("12345", 20, 50));
  }

  @Test
  void passkeyAtTheEdgesKeepsTheEmptyLine() {
    assertEquals(INTRO + "\n\nThe pass key is 417. Remember it. 417 is the pass key.\n"
            + "The grass is green. The sky is blue. The sun is yellow.\nWhat is the pass key? The pass key is",
        PasskeyTask.prompt("417", 3, 0));
    assertEquals(INTRO + "\nThe grass is green. The sky is blue.\n"
            + "The pass key is 50000. Remember it. 50000 is the pass key.\n\nWhat is the pass key? The pass key is",
        PasskeyTask.prompt("50000", 2, 100));
    // 7 sentences at 33%: round(2.31) = 2 before the key; the 5 after start the filler afresh.
    assertEquals(INTRO + "\nThe grass is green. The sky is blue.\n"
            + "The pass key is 1. Remember it. 1 is the pass key.\n"
            + FILLER + "\n"
            + "What is the pass key? The pass key is",
        PasskeyTask.prompt("1", 7, 33));
    // 6 sentences after the key: the sixth follows the fifth with no space.
    assertEquals(INTRO + "\n\nThe pass key is 9. Remember it. 9 is the pass key.\n"
            + FILLER + "The grass is green.\nWhat is the pass key? The pass key is",
        PasskeyTask.prompt("9", 6, 0));
  }

  @Test
  void needleMessageInTheVicunaTemplate() {
    String expected = VICUNA_SYSTEM + " USER: "
        + "There is an important infomation hidden in the following context. Find the information and memorize it. "
        + "I will quiz you about the important information there.\n"
        + "Alpha beta gamma."
        + "\n\nThe best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.\n\n"
        + "Delta epsilon."
        + "\n\nWhat is the best thing to do in San Francisco?\nAnswer:"
        + " ASSISTANT:";
    assertEquals(expected, NeedleTask.prompt("Alpha beta gamma.", "Delta epsilon.", ChatTemplate.VICUNA));
  }

  @Test
  void needleGoesAfterTheReferencesTokenOffset() {
    // 100 haystack tokens, a 30-token description: depth 0 → after 30 tokens, 50 → 30 + round(49.5) = 80
    // (half to even), 60 → 30 + 59.4 → 89, 100 → capped at the end.
    assertEquals(30, NeedleTask.needleOffset(100, 30, 0));
    assertEquals(80, NeedleTask.needleOffset(100, 30, 50));
    assertEquals(89, NeedleTask.needleOffset(100, 30, 60));
    assertEquals(100, NeedleTask.needleOffset(100, 30, 100));
    assertEquals(0, NeedleTask.needleOffset(0, 30, 40));
    assertEquals(7, NeedleTask.needleOffset(7, 30, 0), "never past the haystack");
  }

  @Test
  void needleDefaultGridsAreTheReferences() {
    assertEquals(List.of(1024, 4543, 8063, 11582, 15102, 18621, 22141, 25660, 29180, 32700), NeedleTask.DEFAULT_LENGTHS);
    assertEquals(List.of(0.0, 20.0, 40.0, 60.0, 80.0, 100.0), NeedleTask.DEFAULT_DEPTHS);
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
  void linesMessageInTheVicunaTemplate() {
    var lines = List.of(new LinesTask.Line("happy-apple", 123), new LinesTask.Line("red-boat", 45678),
        new LinesTask.Line("unused-line", 9));
    String message = "Below is a record of lines I want you to remember. Each line begins with 'line <line index>' "
        + "and contains a '<REGISTER_CONTENT>' at the end of the line as a numerical value. For each line index, "
        + "memorize its corresponding <REGISTER_CONTENT>. At the end of the record, I will ask you to retrieve the "
        + "corresponding <REGISTER_CONTENT> of a certain line index. Now the record start:\n\n"
        + "line happy-apple: REGISTER_CONTENT is <123>\n"
        + "line red-boat: REGISTER_CONTENT is <45678>\n"
        + "\nNow the record is over. Tell me what is the <REGISTER_CONTENT> in line red-boat? I need the number.";
    assertEquals(VICUNA_SYSTEM + " USER: " + message + " ASSISTANT:", LinesTask.prompt(lines, 2, 1, ChatTemplate.VICUNA));
    assertEquals(message, LinesTask.prompt(lines, 2, 1, ChatTemplate.NONE));
  }

  @Test
  void taskPromptTextIsTheWholeTemplatedModelInput() {
    WordModel model = new OracleModel(Integer.MAX_VALUE);
    EvalOptions o = EvalOptions.defaults().withSeed(1);
    TaskPrompt lines = new LinesTask().prompt(new Cell(300, null), 0, model, o);
    assertTrue(lines.text().startsWith(VICUNA_SYSTEM + " USER: Below is a record"));
    assertTrue(lines.text().endsWith("I need the number. ASSISTANT:"));
    assertEquals(model.encode(lines.text()).length, lines.ids().length);
  }
}
