package io.cream.quickstart;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.eval.LengthFitter;
import io.cream.eval.PasskeyTask;
import io.cream.io.TextTokenizer;
import io.cream.util.AtomicFiles;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Synthetic retrieval documents for the quickstart, as prompt/completion pairs: the passkey
 * prompt (intro, filler with the key sentence at a random depth, question) and the answer
 * " 12345.". Trained on the answer only (see {@link io.cream.data.Document}): a model this small,
 * trained for minutes, does not learn retrieval from books, nor from these documents when every
 * token is a target (the predictable filler drowns the few answer tokens). Keys come from their
 * own seed, so they are independent of the evaluation's keys.
 */
final class SyntheticPasskeyDocs {
  private SyntheticPasskeyDocs() {}

  /**
   * Writes {@code count} documents as .jsonl ({"prompt": ..., "completion": ...}), each as many
   * filler sentences as fit a token length drawn uniformly from [minTokens, maxTokens] (prompt and
   * answer, counted with the tokenizer the model is trained with; never below the bare prompt's
   * length), the key at a uniform depth.
   */
  static void write(Path file, int count, int minTokens, int maxTokens, TextTokenizer tokenizer,
      long seed) throws IOException {
    SplittableRandom rng = new SplittableRandom(seed);
    StringBuilder out = new StringBuilder();
    int hint = -1;
    for (int i = 0; i < count; i++) {
      String key = PasskeyTask.randomKey(rng);
      double depth = rng.nextDouble() * 100;
      String answer = " " + key + ".";
      java.util.function.IntUnaryOperator tokens =
          k -> tokenizer.encode(PasskeyTask.prompt(key, k, depth) + answer).length;
      // Lengths below the bare prompt (no filler) would all collapse onto it: draw above it.
      int lo = Math.min(maxTokens, Math.max(minTokens, tokens.applyAsInt(0)));
      int target = lo + rng.nextInt(maxTokens - lo + 1);
      int n = Math.max(0, LengthFitter.largestFitting(tokens, target, 100_000, hint));
      hint = n;
      ObjectNode doc = Json.object();
      doc.put("prompt", PasskeyTask.prompt(key, n, depth));
      doc.put("completion", answer);
      out.append(Json.compact(doc)).append('\n');
    }
    AtomicFiles.write(file, o -> o.write(out.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
