package io.cream.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.model.LlamaConfig;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
  @TempDir Path tmp;

  static ObjectNode tinyConfig() {
    ObjectNode c = Json.object();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama").put("hidden_size", 16).put("intermediate_size", 40)
        .put("num_hidden_layers", 1).put("num_attention_heads", 4).put("num_key_value_heads", 2)
        .put("max_position_embeddings", 64).put("vocab_size", 32000).put("bos_token_id", 1)
        .put("eos_token_id", 2).put("torch_dtype", "bfloat16").put("custom_key", "kept");
    c.putObject("rope_scaling").put("rope_type", "linear").put("factor", 2.0);
    return c;
  }

  static Map<String, TensorToWrite> tinyWeights(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<String, TensorToWrite> m = new LinkedHashMap<>();
    m.put("model.embed_tokens.weight", TensorToWrite.of(DType.BF16, SafeTensorsRoundTripTest.randomFloats(rnd, 64 * 16), 64, 16));
    m.put("model.layers.0.self_attn.q_proj.weight", TensorToWrite.of(DType.BF16, SafeTensorsRoundTripTest.randomFloats(rnd, 256), 16, 16));
    m.put("model.layers.0.self_attn.k_proj.weight", TensorToWrite.of(DType.BF16, SafeTensorsRoundTripTest.randomFloats(rnd, 128), 8, 16));
    m.put("model.norm.weight", TensorToWrite.of(DType.F32, SafeTensorsRoundTripTest.randomFloats(rnd, 16), 16));
    m.put("lm_head.weight", TensorToWrite.of(DType.F16, SafeTensorsRoundTripTest.randomFloats(rnd, 64 * 16), 64, 16));
    return m;
  }

  @Test
  void writeThenOpenShardedWithTokenizerFolder() throws Exception {
    Path dir = tmp.resolve("out");
    Map<String, TensorToWrite> weights = tinyWeights(1);
    HfCheckpoint.write(dir, tinyConfig(), weights, SharedData.path("tokenizers/mistral-7b"), 1024);

    assertTrue(Files.exists(dir.resolve(SafeTensorsReader.INDEX_FILE)), "sharded at 1 KiB");
    assertTrue(Files.exists(dir.resolve("tokenizer.json")));
    assertTrue(Files.exists(dir.resolve("tokenizer_config.json")));
    assertFalse(Files.exists(dir.resolve("special_tokens_map.json")), "copied only when present");
    assertEquals(Files.size(SharedData.path("tokenizers/mistral-7b/tokenizer.json")), Files.size(dir.resolve("tokenizer.json")));
    JsonNode gen = Json.read(dir.resolve(HfCheckpoint.GENERATION_CONFIG_FILE));
    assertEquals(1, gen.get("bos_token_id").intValue());
    assertEquals(2, gen.get("eos_token_id").intValue());
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
    }

    try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
      LlamaConfig c = ckpt.config();
      assertEquals(LlamaConfig.fromJson(tinyConfig()), c);
      assertEquals("kept", c.raw().get("custom_key").textValue());
      assertEquals(2.0, c.raw().get("rope_scaling").get("factor").doubleValue());
      SafeTensorsRoundTripTest.assertMatches(weights, ckpt.tensors());
      try (TextTokenizer tok = ckpt.loadTokenizer()) {
        assertArrayEquals(new int[] {1, 22557, 1526}, tok.encode("Hello world"));
      }
    }
  }

  @Test
  void tokenizerFileBringsItsSiblingsAndRewriteReplacesLayout() throws Exception {
    Path dir = tmp.resolve("out");
    HfCheckpoint.write(dir, tinyConfig(), tinyWeights(2), SharedData.path("tokenizers/llama-3/tokenizer.json"), 1024);
    assertTrue(Files.exists(dir.resolve("tokenizer_config.json")));
    Map<String, TensorToWrite> second = tinyWeights(3);
    HfCheckpoint.write(dir, tinyConfig(), second, null, 0);
    assertFalse(Files.exists(dir.resolve(SafeTensorsReader.INDEX_FILE)), "stale index removed");
    try (var files = Files.list(dir)) {
      assertEquals(List.of(), files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("model-")).toList());
    }
    try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
      SafeTensorsRoundTripTest.assertMatches(second, ckpt.tensors());
      assertTrue(ckpt.tokenizerFile().isPresent(), "earlier tokenizer files stay");
    }
  }

  @Test
  void invalidConfigIsRefusedBeforeAnythingIsWritten() {
    ObjectNode bad = tinyConfig();
    bad.remove("hidden_size");
    Path dir = tmp.resolve("never");
    UserError e = assertThrows(UserError.class, () -> HfCheckpoint.write(dir, bad, tinyWeights(4), null, 0));
    assertTrue(e.getMessage().contains("hidden_size"), e.getMessage());
    assertFalse(Files.exists(dir));
  }

  @Test
  void openSaysWhatIsMissing() throws Exception {
    UserError noDir = assertThrows(UserError.class, () -> HfCheckpoint.open(tmp.resolve("absent")));
    assertTrue(noDir.getMessage().contains("not found"), noDir.getMessage());

    UserError noConfig = assertThrows(UserError.class, () -> HfCheckpoint.open(tmp));
    assertTrue(noConfig.getMessage().contains("config.json"), noConfig.getMessage());

    Json.writeAtomically(tmp.resolve("config.json"), tinyConfig());
    UserError noWeights = assertThrows(UserError.class, () -> HfCheckpoint.open(tmp));
    assertTrue(noWeights.getMessage().contains("model.safetensors"), noWeights.getMessage());

    SafeTensorsWriter.write(tmp, tinyWeights(5), 0);
    try (HfCheckpoint ckpt = HfCheckpoint.open(tmp)) {
      assertTrue(ckpt.tokenizerFile().isEmpty());
      UserError noTok = assertThrows(UserError.class, ckpt::loadTokenizer);
      assertTrue(noTok.getMessage().contains("tokenizer.json"), noTok.getMessage());
    }
  }
}
