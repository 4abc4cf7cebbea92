package io.cream.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.TensorToWrite;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.ModelLoader;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import io.cream.rope.RopeSpec;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Tiny random Llamas for the GGUF tests: 2 layers, hidden 64, 4 query heads sharing 2 KV heads of
 * dimension 16, untied output, rope_theta 500, a 32-token pre-trained window, the shipped 4,096-piece
 * tokenizer. Head dimension 16 at base 500 puts two of the eight pairs inside YaRN's ramp band (so
 * yarn and yarn-revised differ) and spreads llama3's three wavelength bands over the pairs. Weights
 * are drawn wider than training would (σ 0.2) and the norms are not all 1, so attention is sharp
 * and a wrong angle, a swapped norm or a mis-ordered row moves the log-probabilities far.
 */
final class GgufFixtures {
  static final Path TOKENIZER = Path.of("models/cream-base-4m");
  static final int HEAD_DIM = 16, WINDOW = 32;
  static final double BASE = 500;

  private GgufFixtures() {}

  /** The RoPE settings of a test: plain at the 32-token window, or the type with factor 8. */
  static RopeSpec rope(io.cream.rope.RopeType type) {
    return type == io.cream.rope.RopeType.DEFAULT
        ? RopeSpec.defaults(HEAD_DIM, BASE, WINDOW)
        : RopeSpec.of(type, HEAD_DIM, BASE, 8, WINDOW);
  }

  static ObjectNode config(RopeSpec rope) {
    ObjectNode c = Json.object();
    c.putArray("architectures").add("LlamaForCausalLM");
    c.put("model_type", "llama");
    c.put("hidden_size", 64);
    c.put("intermediate_size", 128);
    c.put("num_hidden_layers", 2);
    c.put("num_attention_heads", 4);
    c.put("num_key_value_heads", 2);
    c.put("head_dim", HEAD_DIM);
    c.put("rms_norm_eps", 1e-5);
    c.put("rope_theta", BASE);
    c.put("max_position_embeddings", WINDOW);
    c.put("vocab_size", 4096);
    c.put("tie_word_embeddings", false);
    c.put("initializer_range", 0.2);
    c.put("bos_token_id", 1);
    c.put("eos_token_id", 2);
    rope.writeHfConfig(c);
    return c;
  }

  /** A float32 checkpoint folder with the tokenizer, written to {@code dir}. */
  static Path checkpoint(Path dir, RopeSpec rope, long seed) throws IOException {
    return checkpoint(dir, rope, seed, json -> {});
  }

  /** As above, with config.json edited first (e.g. another size). */
  static Path checkpoint(Path dir, RopeSpec rope, long seed, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode json = config(rope);
    edit.accept(json);
    LlamaConfig config = LlamaConfig.fromJson(json);
    try (CpuBackend b = new CpuBackend(); LlamaWeights w = WeightInit.random(config, b, seed)) {
      Map<String, TensorToWrite> tensors = new LinkedHashMap<>(WeightsIO.toWrite(config, w, b, DType.F32));
      SplittableRandom rng = new SplittableRandom(seed);
      tensors.replaceAll((name, t) -> {
        if (!name.endsWith("norm.weight")) return t;
        float[] v = t.data().clone();
        for (int i = 0; i < v.length; i++) v[i] = (float) (1 + 0.3 * rng.nextGaussian());
        return new TensorToWrite(DType.F32, t.shape(), v);
      });
      HfCheckpoint.write(dir, json, tensors, TOKENIZER, 0);
    }
    return dir;
  }

  /** BOS and then n − 1 random ids from the ordinary pieces. */
  static int[] tokens(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int[] ids = new int[n];
    ids[0] = 1;
    for (int i = 1; i < n; i++) ids[i] = rng.nextInt(259, 4096);
    return ids;
  }

  /** cream's log p(ids[i] | ids[<i]), i ≥ 1, with the checkpoint's RoPE or {@code override}. */
  static double[] creamLogprobs(Path dir, int[] ids, RopeSpec override) {
    try (CpuBackend b = new CpuBackend(); LlamaModel m = ModelLoader.load(dir, b, override);
        InferenceSession s = new InferenceSession(m, ids.length)) {
      return s.appendAndScore(ids, -1);
    }
  }

  /** A request for gguf-logprobs.mjs scoring {@code ids}. */
  static ObjectNode scoreRequest(int[] ids) {
    ObjectNode r = Json.object();
    var tokens = r.putArray("tokens");
    for (int id : ids) tokens.add(id);
    r.put("contextSize", 512);
    return r;
  }

  /** max_i |a_i − b_i|; a NaN anywhere gives NaN (so it fails any ≤ check). */
  static double maxAbsDiff(double[] a, JsonNode b) {
    if (b == null || b.size() != a.length) throw new AssertionError("expected " + a.length + " log-probs, got " + b);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b.get(i).asDouble(Double.NaN));
      if (Double.isNaN(d)) return d;
      max = Math.max(max, d);
    }
    return max;
  }

  /** mean_i |a_i − b_i|. */
  static double meanAbsDiff(double[] a, JsonNode b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) sum += Math.abs(a[i] - b.get(i).asDouble(Double.NaN));
    return sum / a.length;
  }

  static double maxAbsDiff(double[] a, double[] b) {
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs(a[i] - b[i]);
      if (Double.isNaN(d)) return d;
      max = Math.max(max, d);
    }
    return max;
  }
}
