package io.cream.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.eval.EvalOptions;
import io.cream.io.TextTokenizer;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RetrievalDocsTest {
  private static final Path TOKENIZER = SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json");

  @Test
  void documentsFitTheirLengthsAndHoldTheirAnswer() throws Exception {
    for (String task : new String[] {"passkey", "lines"}) {
      RetrievalDocs.Documents synth = new RetrievalDocs(task, TOKENIZER, EvalOptions.defaults().withSeed(7))
          .generate(12, 1, 400);
      String[] docs = synth.lines();
      assertTrue(synth.shortest() > 1, "lengths start at the shortest prompt, not at 1");
      try (TextTokenizer t = TextTokenizer.load(TOKENIZER)) {
        for (String line : docs) {
          JsonNode d = Json.MAPPER.readTree(line);
          String prompt = d.get("prompt").asText(), completion = d.get("completion").asText();
          int n = t.encode(prompt + completion).length;
          assertTrue(n >= synth.shortest() - 8 && n <= 400, task + ": " + n + " tokens");
          String answer = completion.strip();
          assertTrue(completion.startsWith(" ") && prompt.contains(answer), task + ": the answer is in the prompt");
        }
      }
    }
  }

  @Test
  void theSameSeedGivesTheSameDocumentsAndAnotherSeedOthers() {
    String[] a = new RetrievalDocs("passkey", TOKENIZER, EvalOptions.defaults().withSeed(3)).generate(6, 100, 300).lines();
    String[] b = new RetrievalDocs("passkey", TOKENIZER, EvalOptions.defaults().withSeed(3)).generate(6, 100, 300).lines();
    String[] c = new RetrievalDocs("passkey", TOKENIZER, EvalOptions.defaults().withSeed(4)).generate(6, 100, 300).lines();
    assertArrayEquals(a, b);
    assertTrue(!a[0].equals(c[0]));
    assertEquals(6, a.length);
  }

  @Test
  void refusesUnknownTasksAndLengthsNoPromptFits() {
    assertThrows(UserError.class, () -> new RetrievalDocs("ppl", TOKENIZER, EvalOptions.defaults()));
    var synth = new RetrievalDocs("passkey", TOKENIZER, EvalOptions.defaults());
    UserError e = assertThrows(UserError.class, () -> synth.generate(3, 1, 20));
    assertTrue(e.getMessage().contains("--max-tokens"), e.getMessage());
  }
}
