package io.cream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.cli.Main;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamLayout;
import io.cream.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchTrainTest {
  @TempDir Path tmp;

  private Path tinyConfig() throws Exception {
    Path p = tmp.resolve("config.json");
    Files.writeString(p, """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32,
         "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4,
         "num_key_value_heads": 2, "head_dim": 8, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
         "max_position_embeddings": 64, "vocab_size": 96, "tie_word_embeddings": false}""");
    return p;
  }

  @Test
  void trainFlopsCountProjectionsHeadAndCausalAttention() {
    LlamaConfig c = ModelShapes.resolve("tinyllama-1.1b");
    long matmul = ParamLayout.of(c).stream()
        .filter(p -> p.name().endsWith("proj.weight") || p.name().equals(ParamLayout.LM_HEAD))
        .mapToLong(ParamLayout.Param::size).sum();
    int layers = 22, d = 2048, t = 4096;
    double want = 6.0 * matmul * 2 * t + 3 * 2 * (4.0 * t * t * d / 2) * layers;
    assertEquals(want, ModelShapes.trainFlops(c, 2, t), want * 1e-12);
    assertEquals(1_100_048_384L, ParamLayout.count(c), "TinyLlama-1.1B's published parameter count");
    assertEquals(6_738_415_616L, ParamLayout.count(ModelShapes.resolve("llama2-7b")), "Llama-2-7B's count");
  }

  @Test
  void cpuRunReportsRatesAndAnOpTable() throws Exception {
    Path json = tmp.resolve("r.json");
    int code = Main.execute("bench", "train", "--model", tinyConfig().toString(), "--seq", "16", "--batch", "2",
        "--steps", "2", "--warmup", "0", "--profile", "--json", json.toString());
    assertEquals(0, code);
    JsonNode r = Json.read(json);
    assertTrue(r.get("tokens_per_s").asDouble() > 0 && Double.isFinite(r.get("tokens_per_s").asDouble()));
    assertEquals(32, r.get("batch").asInt() * r.get("seq").asInt());
    for (String op : new String[] {"linear", "linear bwd", "attention", "attention bwd", "clip + adamw", "cross-entropy"}) {
      assertTrue(r.get("ops_ms").has(op), "profile has " + op + ": " + r.get("ops_ms"));
    }
  }

  @Test
  void badOptionsAreUserErrors() throws Exception {
    assertEquals(2, Main.execute("bench", "train", "--model", "no-such-shape"));
    assertEquals(2, Main.execute("bench", "train", "--model", tinyConfig().toString(), "--optimizer", "sgd"));
    assertEquals(2, Main.execute("bench", "infer", "--model", tinyConfig().toString(), "--prefill", "0"));
  }

  @Test
  void cpuInferenceRunDecodes() throws Exception {
    assertEquals(0, Main.execute("bench", "infer", "--model", tinyConfig().toString(), "--prefill", "40",
        "--decode", "3", "--chunk", "16"));
  }
}
