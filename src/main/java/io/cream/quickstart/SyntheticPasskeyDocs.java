package io.cream.quickstart;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.eval.PasskeyTask;
import io.cream.util.AtomicFiles;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Synthetic retrieval documents for the quickstart: the passkey prompt (intro, filler with the
 * key sentence at a random depth, question) followed by the answer. A model this small, trained
 * for minutes, does not learn retrieval from books alone; these teach it inside the short window
 * so that the quickstart can measure whether the skill carries to 8× the window. Keys drawn here
 * come from their own seed, so they are independent of the evaluation's keys.
 */
final class SyntheticPasskeyDocs {
  private SyntheticPasskeyDocs() {}

  /**
   * Writes {@code count} documents as .jsonl ({"text": ...}), each with a filler length drawn
   * uniformly from [minSentences, maxSentences] and a uniform depth.
   */
  static void write(Path file, int count, int minSentences, int maxSentences, long seed)
      throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String key = String.format("%05d", rng.nextInt(100000));
      int sentences = minSentences + rng.nextInt(maxSentences - minSentences + 1);
      double depth = rng.nextDouble() * 100;
      ObjectNode doc = Json.object();
      doc.put("text", PasskeyTask.prompt(key, sentences, depth) + " " + key + ".");
      out.append(Json.compact(doc)).append('\n');
    }
    AtomicFiles.write(file, o -> o.write(out.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
