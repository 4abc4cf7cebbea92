package io.cream.compare;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.model.LlamaConfig;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** A tiny random base model (2 layers × 32, window 32, Mistral's tokenizer), text, and plan files. */
public final class CompareFixtures {
  private CompareFixtures() {}

  public static ObjectNode tinyConfig() {
    ObjectNode c = Json.object();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("hidden_size", 32);
    c.put("intermediate_size", 64);
    c.put("num_hidden_layers", 2);
    c.put("num_attention_heads", 4);
    c.put("num_key_value_heads", 2);
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", 10000.0);
    c.put("max_position_embeddings", 32);
    c.put("vocab_size", 32000);
    c.put("tie_word_embeddings", true);
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    return c;
  }

  /** A complete HF checkpoint folder with random weights. */
  public static Path baseModel(Path dir) throws IOException {
    ObjectNode json = tinyConfig();
    LlamaConfig config = LlamaConfig.fromJson(json);
    try (CpuBackend b = new CpuBackend()) {
      var weights = WeightInit.random(config, b, 7);
      HfCheckpoint.write(dir, json, WeightsIO.toWrite(config, weights, b, DType.F32),
          SharedData.path("tokenizers/mistral-7b/tokenizer.json"), 0);
      weights.close();
    }
    return dir;
  }

  /** Only config.json: enough for the plan parser, which reads the base's RoPE settings. */
  public static Path configOnly(Path dir) throws IOException {
    Files.createDirectories(dir);
    Json.writeAtomically(dir.resolve("config.json"), tinyConfig());
    return dir;
  }

  /** The first {@code bytes} of Alice in Wonderland as one .txt document in {@code dir}. */
  public static Path text(Path dir, int bytes) throws IOException {
    Files.createDirectories(dir);
    Path gz = SharedData.path("corpus/gutenberg/carroll-alice.txt.gz");
    try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
      Files.write(dir.resolve("alice.txt"), in.readNBytes(bytes));
    }
    return dir;
  }

  public static Path writePlan(Path file, String json) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, json);
    return file;
  }
}
