package io.cream.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTokenizerTest {
  private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
  private static TextTokenizer llama3;
  private static TextTokenizer mistral;
  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    llama3 = TextTokenizer.load(SharedData.path("tokenizers/llama-3/tokenizer.json"));
    mistral = TextTokenizer.load(SharedData.path("tokenizers/mistral-7b"));
  }

  @AfterAll
  static void close() {
    if (llama3 != null) llama3.close();
    if (mistral != null) mistral.close();
  }

  /** llama.cpp's 46 Llama-3 vectors: encoded without BOS/EOS, special tokens not parsed. */
  @Test
  void llama3ReproducesAll46ReferenceVectors() throws IOException {
    String inp = Files.readString(SharedData.path("tokenizers/llama-3/ggml-vocab-llama-bpe.gguf.inp"));
    List<String> inputs = Arrays.asList(inp.split(SEPARATOR, -1));
    assertEquals("", inputs.getLast(), "every input ends with the separator");
    inputs = inputs.subList(0, inputs.size() - 1);
    List<String> outputs = Files.readAllLines(SharedData.path("tokenizers/llama-3/ggml-vocab-llama-bpe.gguf.out"));
    assertEquals(46, inputs.size());
    assertEquals(46, outputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      String line = outputs.get(i).trim();
      int[] expected = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
      assertArrayEquals(expected, llama3.encodePlain(inputs.get(i)), "vector " + i + ": " + inputs.get(i));
      assertArrayEquals(expected, llama3.encode(inputs.get(i)), "Llama-3's tokenizer adds no BOS");
      assertEquals(inputs.get(i), llama3.decode(expected), "vector " + i + " decodes back");
    }
  }

  @Test
  void llama3Settings() {
    assertFalse(llama3.addsBos(), "plain ByteLevel post-processor, no add_bos_token key");
    assertFalse(llama3.addsEos());
    assertEquals(128000, llama3.bosId());
    assertEquals(128001, llama3.eosId());
    assertEquals(128256, llama3.vocabSize());
    assertTrue(llama3.sourceFile().endsWith("tokenizer.json"));
  }

  @Test
  void mistralAddsBos() {
    assertArrayEquals(new int[] {1, 22557, 1526}, mistral.encode("Hello world"));
    assertArrayEquals(new int[] {22557, 1526}, mistral.encodePlain("Hello world"));
    assertTrue(mistral.addsBos());
    assertFalse(mistral.addsEos());
    assertEquals(1, mistral.bosId());
    assertEquals(2, mistral.eosId());
    assertEquals(32000, mistral.vocabSize());
    assertEquals("Hello world", mistral.decode(new int[] {1, 22557, 1526}, true));
    assertTrue(mistral.decode(new int[] {1, 22557, 1526}).startsWith("<s>"));
  }

  /** Emma, whole (~212 k Llama-3 tokens): no truncation anywhere, and decoding gives the text back. */
  @Test
  void llama3RoundTripsAWholeNovel() throws IOException {
    String text = gunzip(SharedData.path("corpus/gutenberg/austen-emma.txt.gz"));
    int[] ids = llama3.encodePlain(text);
    assertTrue(ids.length >= 100_000, "tokens: " + ids.length);
    long reference = referenceLlama3Count("gutenberg/austen-emma.txt.gz");
    // The shared count encodes ~64 KB chunks separately, so it may differ by about one per chunk.
    assertTrue(Math.abs(ids.length - reference) <= 30, ids.length + " tokens vs reference " + reference);
    assertEquals(text, llama3.decode(ids), "byte-level BPE is lossless");
    for (int id : ids) assertTrue(id >= 0 && id < 128000, "plain text yields no special ids");
  }

  /** SentencePiece-style Mistral round-trips ordinary text too; its decoder strips only the space it added. */
  @Test
  void mistralRoundTripsLongText() throws IOException {
    String text = gunzip(SharedData.path("corpus/gutenberg/austen-emma.txt.gz")).substring(0, 60_000);
    int[] ids = mistral.encodePlain(text);
    assertTrue(ids.length > 10_000, "far past DJL's default 512-token truncation: " + ids.length);
    assertEquals(text, mistral.decode(ids));
    assertEquals(" Hello", mistral.decode(mistral.encodePlain(" Hello")));
  }

  @Test
  void bosFromTemplateWhenTheConfigIsSilent() throws IOException {
    // Mistral's tokenizer.json alone: its TemplateProcessing prepends <s>.
    Path dir = Files.createDirectories(tmp.resolve("mistral-no-config"));
    Files.copy(SharedData.path("tokenizers/mistral-7b/tokenizer.json"), dir.resolve("tokenizer.json"));
    try (TextTokenizer t = TextTokenizer.load(dir)) {
      assertTrue(t.addsBos());
      assertEquals(1, t.bosId());
      assertArrayEquals(new int[] {1, 22557, 1526}, t.encode("Hello world"));
    }
  }

  @Test
  void configAddBosFalseWinsOverTheTemplate() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("mistral-no-bos"));
    Files.copy(SharedData.path("tokenizers/mistral-7b/tokenizer.json"), dir.resolve("tokenizer.json"));
    ObjectNode cfg = (ObjectNode) Json.read(SharedData.path("tokenizers/mistral-7b/tokenizer_config.json"));
    cfg.put("add_bos_token", false).put("add_eos_token", true);
    cfg.putObject("eos_token").put("content", "</s>").put("special", true);
    Json.writeAtomically(dir.resolve("tokenizer_config.json"), cfg);
    try (TextTokenizer t = TextTokenizer.load(dir.resolve("tokenizer.json"))) {
      assertFalse(t.addsBos());
      assertTrue(t.addsEos());
      assertEquals(2, t.eosId(), "eos_token given as an object with content");
      assertArrayEquals(new int[] {22557, 1526, 2}, t.encode("Hello world"));
    }
  }

  /**
   * A Llama-3.1-style post-processor, Sequence[ByteLevel, TemplateProcessing adding
   * <|begin_of_text|>], with a tokenizer_config.json that has no add_bos_token key: BOS is added.
   */
  @Test
  void llama31StyleTemplateMeansBos() {
    ObjectNode tok = Json.object();
    ObjectNode vocab = tok.putObject("model").put("type", "BPE").putObject("vocab");
    vocab.put("Hello", 0).put("world", 1);
    tok.putArray("added_tokens").addObject().put("id", 128000).put("content", "<|begin_of_text|>").put("special", true);
    ((ArrayNode) tok.get("added_tokens")).addObject().put("id", 128001).put("content", "<|end_of_text|>").put("special", true);
    ObjectNode seq = tok.putObject("post_processor").put("type", "Sequence");
    ArrayNode procs = seq.putArray("processors");
    procs.addObject().put("type", "ByteLevel");
    ObjectNode template = procs.addObject().put("type", "TemplateProcessing");
    ArrayNode single = template.putArray("single");
    single.addObject().putObject("SpecialToken").put("id", "<|begin_of_text|>").put("type_id", 0);
    single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
    ObjectNode special = template.putObject("special_tokens").putObject("<|begin_of_text|>");
    special.put("id", "<|begin_of_text|>");
    special.putArray("ids").add(128000);
    special.putArray("tokens").add("<|begin_of_text|>");
    ObjectNode config = Json.object().put("bos_token", "<|begin_of_text|>").put("eos_token", "<|end_of_text|>");

    TokenizerSettings s = TokenizerSettings.from(tok, config, "test");
    assertEquals(new TokenizerSettings(128002, 128000, 128001, true, false), s);
    ObjectNode plain = tok.deepCopy();
    plain.putObject("post_processor").put("type", "ByteLevel");
    assertEquals(new TokenizerSettings(128002, 128000, 128001, false, false), TokenizerSettings.from(plain, config, "test"));
  }

  @Test
  void badTokenizerFilesAreUserErrors() throws IOException {
    assertThrows(UserError.class, () -> TextTokenizer.load(tmp.resolve("absent")));
    Files.writeString(tmp.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}}}");
    assertThrows(UserError.class, () -> TextTokenizer.load(tmp));
    Files.writeString(tmp.resolve("tokenizer.json"), "{}");
    assertThrows(UserError.class, () -> TextTokenizer.load(tmp));
    assertThrows(IllegalArgumentException.class, () -> llama3.decode(new int[] {128256}));
  }

  private static String gunzip(Path gz) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static long referenceLlama3Count(String relative) throws IOException {
    for (String line : Files.readAllLines(SharedData.path("corpus/TOKENS.tsv"))) {
      String[] cols = line.split("\t");
      if (cols[0].equals(relative)) return Long.parseLong(cols[2]);
    }
    throw new AssertionError(relative + " not in TOKENS.tsv");
  }
}
