package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LlamaConfigTest {
  @TempDir Path tmp;

  /** Llama-2-7B's config.json as published (rope_theta absent, rope_scaling null). */
  static final String LLAMA2_7B = """
      {"architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
       "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 11008,
       "max_position_embeddings": 4096, "model_type": "llama", "num_attention_heads": 32,
       "num_hidden_layers": 32, "num_key_value_heads": 32, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
       "rope_scaling": null, "tie_word_embeddings": false, "torch_dtype": "float16",
       "transformers_version": "4.31.0.dev0", "use_cache": true, "vocab_size": 32000}
      """;

  /** Llama-3.1-8B-Instruct's config.json: GQA, llama3 rope scaling, a list of EOS ids. */
  static final String LLAMA31_8B = """
      {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
       "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "hidden_act": "silu",
       "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336,
       "max_position_embeddings": 131072, "mlp_bias": false, "model_type": "llama",
       "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
       "pretraining_tp": 1, "rms_norm_eps": 1e-05,
       "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                        "original_max_position_embeddings": 8192, "rope_type": "llama3"},
       "rope_theta": 500000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
       "transformers_version": "4.43.0.dev0", "use_cache": true, "vocab_size": 128256}
      """;

  static final String MINIMAL = """
      {"model_type": "llama", "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 2,
       "num_attention_heads": 4, "max_position_embeddings": 256, "vocab_size": 1000}
      """;

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void readsLlama2From7bConfigFile() throws Exception {
    Path file = tmp.resolve("config.json");
    Files.writeString(file, LLAMA2_7B);
    LlamaConfig c = LlamaConfig.read(file);
    assertEquals(Architecture.LLAMA, c.architecture());
    assertEquals(4096, c.hiddenSize());
    assertEquals(11008, c.intermediateSize());
    assertEquals(32, c.numHiddenLayers());
    assertEquals(32, c.numAttentionHeads());
    assertEquals(32, c.numKeyValueHeads());
    assertEquals(128, c.headDim());
    assertEquals(1e-5, c.rmsNormEps());
    assertEquals(10000.0, c.ropeTheta(), "HF default when rope_theta is absent");
    assertEquals(4096, c.maxPositionEmbeddings());
    assertEquals(32000, c.vocabSize());
    assertFalse(c.tieWordEmbeddings());
    assertFalse(c.attentionBias());
    assertEquals(1, c.bosTokenId());
    assertEquals(List.of(2), c.eosTokenIds());
    assertEquals(2, c.eosTokenId());
    assertEquals("float16", c.torchDtype());
    assertTrue(c.raw().get("rope_scaling").isNull());
    assertEquals(1, c.kvGroups());
  }

  @Test
  void readsLlama31WithGqaEosListAndRopeScalingKept() {
    LlamaConfig c = LlamaConfig.fromJson(json(LLAMA31_8B));
    assertEquals(8, c.numKeyValueHeads());
    assertEquals(4, c.kvGroups());
    assertEquals(1024, c.kvDim());
    assertEquals(4096, c.queryDim());
    assertEquals(500000.0, c.ropeTheta());
    assertEquals(131072, c.maxPositionEmbeddings());
    assertEquals(128256, c.vocabSize());
    assertEquals(128000, c.bosTokenId());
    assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
    assertEquals(128001, c.eosTokenId());
    assertEquals("bfloat16", c.torchDtype());

    ObjectNode out = c.toJson();
    assertEquals(json(LLAMA31_8B).get("rope_scaling"), out.get("rope_scaling"), "rope_scaling survives untouched");
    assertEquals("4.43.0.dev0", out.get("transformers_version").textValue(), "unknown keys survive");
    assertTrue(out.get("eos_token_id").isArray());
    assertEquals(c, LlamaConfig.fromJson(out), "toJson → fromJson is the identity");
  }

  @Test
  void toJsonWritesChangedFieldsBackAndKeepsTheRest() {
    LlamaConfig c = LlamaConfig.fromJson(json(LLAMA2_7B)).withMaxPositionEmbeddings(32768)
        .withRopeScaling(json("{\"rope_type\": \"linear\", \"factor\": 8.0}"));
    ObjectNode out = c.toJson();
    assertEquals(32768, out.get("max_position_embeddings").intValue());
    assertEquals("linear", out.get("rope_scaling").get("rope_type").textValue());
    assertEquals(2, out.get("eos_token_id").intValue(), "a single id stays an int");
    assertEquals(0.02, out.get("initializer_range").doubleValue());
    LlamaConfig back = LlamaConfig.fromJson(out);
    assertEquals(c, back);
    assertEquals(32768, back.maxPositionEmbeddings());
    assertFalse(c.withRopeScaling(null).raw().has("rope_scaling"));
    assertNotEquals(c, c.withRopeScaling(null), "untyped keys count for equality");
    assertNotEquals(c, c.withMaxPositionEmbeddings(4096));
  }

  @Test
  void defaultsFollowHuggingFace() {
    LlamaConfig c = LlamaConfig.fromJson(json(MINIMAL));
    assertEquals(4, c.numKeyValueHeads(), "kv heads default to heads");
    assertEquals(16, c.headDim(), "head_dim defaults to hidden / heads");
    assertEquals(1e-6, c.rmsNormEps());
    assertEquals(10000.0, c.ropeTheta());
    assertFalse(c.tieWordEmbeddings());
    assertEquals(-1, c.bosTokenId());
    assertEquals(List.of(), c.eosTokenIds());
    assertEquals(-1, c.eosTokenId());
    assertEquals(null, c.torchDtype());
    assertEquals(0, c.slidingWindow());
    assertFalse(c.toJson().has("head_dim"), "a default head_dim is not written");
  }

  @Test
  void explicitHeadDimNeedNotDivideHidden() {
    ObjectNode o = json(MINIMAL);
    o.put("hidden_size", 60).put("head_dim", 32);
    LlamaConfig c = LlamaConfig.fromJson(o);
    assertEquals(32, c.headDim());
    assertEquals(32, c.toJson().get("head_dim").intValue());
  }

  @Test
  void readsMistralAndQwen2() {
    ObjectNode mistral = json(MINIMAL);
    mistral.put("model_type", "mistral").putArray("architectures").add("MistralForCausalLM");
    mistral.put("sliding_window", 4096);
    LlamaConfig m = LlamaConfig.fromJson(mistral);
    assertEquals(Architecture.MISTRAL, m.architecture());
    assertEquals(4096, m.slidingWindow());
    assertFalse(m.attentionBias());

    ObjectNode qwen = json(MINIMAL);
    qwen.put("model_type", "qwen2").put("tie_word_embeddings", true).put("use_sliding_window", false).put("sliding_window", 512);
    LlamaConfig q = LlamaConfig.fromJson(qwen);
    assertEquals(Architecture.QWEN2, q.architecture());
    assertTrue(q.attentionBias(), "qwen2 has q/k/v biases");
    assertEquals(0, q.slidingWindow(), "sliding_window only counts when use_sliding_window");
    assertTrue(q.tieWordEmbeddings());
    assertEquals(q, LlamaConfig.fromJson(q.toJson()));
  }

  @Test
  void refusesUnknownArchitectureByName() {
    ObjectNode o = json(MINIMAL);
    o.putArray("architectures").add("GPT2LMHeadModel");
    UserError e = assertThrows(UserError.class, () -> LlamaConfig.fromJson(o));
    assertEquals("config.json: architecture 'GPT2LMHeadModel' is not supported (supported: llama, mistral, qwen2)", e.getMessage());
    ObjectNode none = json(MINIMAL);
    none.remove("model_type");
    assertTrue(assertThrows(UserError.class, () -> LlamaConfig.fromJson(none)).getMessage().contains("model_type"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
      "max_position_embeddings", "vocab_size"})
  void missingRequiredKeyIsNamed(String key) {
    ObjectNode o = json(MINIMAL);
    o.remove(key);
    UserError e = assertThrows(UserError.class, () -> LlamaConfig.fromJson(o));
    assertTrue(e.getMessage().contains("config.json: " + key + " is missing"), e.getMessage());
  }

  @Test
  void readNamesTheFile() throws Exception {
    Path file = tmp.resolve("config.json");
    ObjectNode o = json(MINIMAL);
    o.remove("vocab_size");
    Files.writeString(file, o.toString());
    UserError e = assertThrows(UserError.class, () -> LlamaConfig.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertThrows(UserError.class, () -> LlamaConfig.read(tmp.resolve("absent.json")));
  }

  @Test
  void invalidShapesAreRefusedNamingTheKey() {
    assertRefused("num_key_value_heads", o -> o.put("num_key_value_heads", 3));
    assertRefused("num_attention_heads", o -> o.put("num_attention_heads", 5));
    assertRefused("head_dim", o -> o.put("head_dim", 15));
    assertRefused("hidden_size", o -> o.put("hidden_size", -64));
    assertRefused("num_hidden_layers", o -> o.put("num_hidden_layers", 0));
    assertRefused("vocab_size", o -> o.put("vocab_size", "1000"));
    assertRefused("rms_norm_eps", o -> o.put("rms_norm_eps", -1.0));
    assertRefused("rope_theta", o -> o.put("rope_theta", 0.0));
    assertRefused("bos_token_id", o -> o.put("bos_token_id", 5000));
    assertRefused("eos_token_id", o -> o.putArray("eos_token_id").add(1).add("x"));
    assertRefused("hidden_act", o -> o.put("hidden_act", "gelu"));
    assertRefused("tie_word_embeddings", o -> o.put("tie_word_embeddings", "yes"));
  }

  private static void assertRefused(String key, java.util.function.Consumer<ObjectNode> damage) {
    ObjectNode o = json(MINIMAL);
    damage.accept(o);
    UserError e = assertThrows(UserError.class, () -> LlamaConfig.fromJson(o), key);
    // Shape checks quote the key ('head_dim'); type checks name it as in the file (vocab_size must ...).
    assertTrue(e.getMessage().contains("'" + key + "'") || e.getMessage().contains("config.json: " + key),
        key + ": " + e.getMessage());
  }
}
