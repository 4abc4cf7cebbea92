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
    ObjectNode c = io.cream.compare.CompareFixtures.tinyConfig();
    c.put("tie_word_embeddings", tiedEmbeddings);
    Json.writeAtomically(file, c);
    return file;
  }
}
