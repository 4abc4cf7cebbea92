package io.cream.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.io.TokenizerSettings;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** tokenizer.json as llama.cpp's "llama" vocabulary: pieces, types, merge-rank scores, refusals. */
class GgufVocabTest {
  private static final String TINY = """
      {"added_tokens": [
         {"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
         {"id": 2, "content": "</s>", "special": true}, {"id": 9, "content": "<tool>", "special": false}],
       "normalizer": {"type": "Sequence", "normalizers": [
         {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
       "pre_tokenizer": null,
       "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
         {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
       "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true, "fuse_unk": true,
         "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x0A>": 3, "▁": 4, "a": 5, "b": 6, "▁a": 7, "ab": 8},
         "merges": ["▁ a", "a b"]}}
      """;

  /** A tokenizer.json without tokenizer_config.json; config.json's EOS is 2. */
  private static GgufVocab tiny(String json, int vocabSize) throws Exception {
    JsonNode node = Json.MAPPER.readTree(json);
    return GgufVocab.from(node, TokenizerSettings.from(node, null, "t.json"), vocabSize, "t.json", -1, 2);
  }

  @Test
  void piecesTypesAndScores() throws Exception {
    GgufVocab v = tiny(TINY, 12);
    assertEquals(List.of("<unk>", "<s>", "</s>", "<0x0A>", "▁", "a", "b", "▁a", "ab", "<tool>", "[PAD10]", "[PAD11]"), v.pieces());
    assertArrayEquals(new int[] {2, 3, 3, 6, 1, 1, 1, 1, 1, 4, 5, 5}, v.types());
    float[] s = v.scores();
    assertEquals(0f, s[7], "▁a: the first merge");
    assertEquals(-1f, s[8], "ab: the second merge");
    for (int id : new int[] {0, 3, 4, 5, 9, 10}) assertTrue(s[id] < -1, "no merge makes piece " + id + ": below every merge");
    assertEquals(List.of(1, 2, 0, true, false, true), List.of(v.bosId(), v.eosId(), v.unkId(), v.addBos(), v.addEos(), v.addSpacePrefix()));
  }

  @Test
  void metaspacePreTokenizerIsTheSameConvention() throws Exception {
    ObjectNode json = (ObjectNode) Json.MAPPER.readTree(TINY);
    json.putNull("normalizer");
    json.putObject("pre_tokenizer").put("type", "Metaspace").put("replacement", "▁").put("prepend_scheme", "first").put("split", false);
    assertTrue(tiny(json.toString(), 10).addSpacePrefix());
    ((ObjectNode) json.get("pre_tokenizer")).put("prepend_scheme", "never");
    assertEquals(false, tiny(json.toString(), 10).addSpacePrefix());
  }

  @Test
  void otherTokenizersAreRefusedInOneLine() throws Exception {
    ObjectNode byteLevel = (ObjectNode) Json.MAPPER.readTree(TINY);
    byteLevel.putNull("normalizer");
    byteLevel.putObject("pre_tokenizer").put("type", "ByteLevel");
    UserError e = assertThrows(UserError.class, () -> tiny(byteLevel.toString(), 10));
    assertTrue(e.getMessage().contains("SentencePiece") && !e.getMessage().contains("\n"), e.getMessage());
    UserError small = assertThrows(UserError.class, () -> tiny(TINY, 8));
    assertTrue(small.getMessage().contains("vocab_size"), small.getMessage());
  }

  /**
   * The condition under which merge-rank scores reproduce Hugging Face's BPE: whenever two pieces
   * join into a third, that join is a merge. It holds for the shipped vocabulary and Mistral's.
   */
  @Test
  void shippedAndMistralVocabulariesHaveEveryJoinAsAMerge() {
    for (Path file : List.of(Path.of("models/cream-base-4m/tokenizer.json"), SharedData.path("tokenizers/mistral-7b/tokenizer.json"))) {
      JsonNode model = Json.read(file).path("model");
      Set<String> pieces = new HashSet<>();
      model.path("vocab").properties().forEach(e -> pieces.add(e.getKey()));
      Set<String> merges = new HashSet<>();
      for (JsonNode m : model.path("merges")) merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
      int joins = 0;
      for (String p : pieces) {
        for (int cut = p.offsetByCodePoints(0, 1); cut < p.length(); cut = p.offsetByCodePoints(cut, 1)) {
          if (pieces.contains(p.substring(0, cut)) && pieces.contains(p.substring(cut))) {
            joins++;
            assertTrue(merges.contains(p.substring(0, cut) + " " + p.substring(cut)), file + ": '" + p + "' joins without a merge");
          }
        }
      }
      assertTrue(joins >= model.path("merges").size(), file + ": every merge is a join");
    }
  }
}
