package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cream.io.TextTokenizer;
import io.cream.testutil.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TokenStreamTest {
  @Test
  void streamedTextKeepsTheSpaceAfterThePromptAndWholeCharacters() {
    try (TextTokenizer tok = TextTokenizer.load(SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json"))) {
      int[] prompt = tok.encode("She was very tired of");
      int[] all = tok.encode("She was very tired of the long road — naïve café ☕ 42.");
      int[] generated = Arrays.copyOfRange(all, prompt.length, all.length);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
      GenerateCommand.TokenStream stream = new GenerateCommand.TokenStream(tok, out, prompt);
      for (int id : generated) stream.add(id);
      stream.finish();
      assertEquals(" the long road — naïve café ☕ 42.\n", bytes.toString(StandardCharsets.UTF_8));
    }
  }
}
