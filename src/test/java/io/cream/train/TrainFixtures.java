package io.cream.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Real text and a tiny model config for end-to-end training tests. */
final class TrainFixtures {
  private TrainFixtures() {}

  static Path tokenizer() {
    return SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json");
  }

  /** The first {@code bytes} of each named Gutenberg book, as .txt files in {@code dir}. */
  static Path books(Path dir, int bytes, List<String> names) throws IOException {
    Files.createDirectories(dir);
    for (String book : names) {
      Path gz = SharedData.dir().resolve("corpus/gutenberg/" + book + ".txt.gz");
      try (var in = new GZIPInputStream(Files.newInputStream(gz))) {
        Files.write(dir.resolve(book + ".txt"), in.readNBytes(bytes));
      }
    }
    return dir;
  }

  /** A 2-layer, 32-wide Llama config.json over the Mistral vocabulary, written to {@code file}. */
  static Path tinyConfig(Path file, boolean tiedEmbeddings) throws IOException {
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
    c.put("tie_word_embeddings", tiedEmbeddings);
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    Json.writeAtomically(file, c);
    return file;
  }
}
