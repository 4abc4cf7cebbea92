package io.cream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.io.TextTokenizer;
import io.cream.testutil.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallVocabularyTest {
  @TempDir Path tmp;

  @Test
  void smallVocabularyEncodesAndDecodesLosslessly() throws Exception {
    Path source = SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json");
    String book;
    try (var in = new GZIPInputStream(Files.newInputStream(SharedData.dir().resolve("corpus/gutenberg/carroll-alice.txt.gz")))) {
      book = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String train = book.substring(0, 60_000);
    String unseen = book.substring(100_000, 110_000) + " Ünïcode ✓ 42 δ";
    Path file = SmallVocabulary.write(source, List.of(train), 1500, tmp);
    try (TextTokenizer small = TextTokenizer.load(file); TextTokenizer full = TextTokenizer.load(source)) {
      assertEquals(1500, small.vocabSize());
      assertEquals(full.bosId(), small.bosId());
      assertEquals(full.eosId(), small.eosId());
      for (String text : List.of(train, unseen)) {
        int[] ids = small.encode(text);
        for (int id : ids) assertTrue(id >= 0 && id < 1500, "id " + id + " outside the vocabulary");
        assertEquals(text, small.decode(ids, true), "round trip");
        int fullCount = full.encode(text).length;
        assertTrue(ids.length < 1.8 * fullCount, ids.length + " tokens vs " + fullCount + " with 32K pieces");
      }
    }
  }
}
