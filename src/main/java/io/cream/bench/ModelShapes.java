package io.cream.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamLayout;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Model shapes to benchmark: a named public shape or any config.json. */
public final class ModelShapes {
  /** The names {@link #resolve} knows. */
  public static final List<String> NAMES = List.of("tinyllama-1.1b", "llama2-7b", "llama3.2-1b");

  private ModelShapes() {}

  /** A named shape, or the config.json at that path. */
  public static LlamaConfig resolve(String nameOrPath) {
    ObjectNode j = switch (nameOrPath) {
      case "tinyllama-1.1b" -> llama(2048, 5632, 22, 32, 4, 32000, 2048, 10000, false);
      case "llama2-7b" -> llama(4096, 11008, 32, 32, 32, 32000, 4096, 10000, false);
      case "llama3.2-1b" -> llama(2048, 8192, 16, 32, 8, 128256, 131072, 500000, true);
      default -> {
        Path p = Path.of(nameOrPath);
        UserError.require(Files.isRegularFile(p), "--model '" + nameOrPath + "' is neither a config.json file nor one of "
            + String.join(", ", NAMES));
        yield null;
      }
    };
    return j == null ? LlamaConfig.read(Path.of(nameOrPath)) : LlamaConfig.fromJson(j);
  }

  private static ObjectNode llama(int hidden, int ffn, int layers, int heads, int kvHeads, int vocab,
      int maxPos, double theta, boolean tied) {
    ObjectNode j = Json.object();
    j.putArray("architectures").add("LlamaForCausalLM");
    j.put("model_type", "llama");
    j.put("hidden_size", hidden);
    j.put("intermediate_size", ffn);
    j.put("num_hidden_layers", layers);
    j.put("num_attention_heads", heads);
    j.put("num_key_value_heads", kvHeads);
    j.put("head_dim", hidden / heads);
    j.put("rms_norm_eps", 1e-5);
    j.put("rope_theta", theta);
    j.put("max_position_embeddings", maxPos);
    j.put("vocab_size", vocab);
    j.put("tie_word_embeddings", tied);
    j.put("bos_token_id", 1);
    j.put("eos_token_id", 2);
    return j;
  }

  /**
   * Weights of the matrix products: every matrix but the embedding table (a lookup), which counts
   * only when tied to the output head; norms and biases are left out.
   */
  public static long matmulParams(LlamaConfig c) {
    long embed = (long) c.vocabSize() * c.hiddenSize();
    long matrices = ParamLayout.of(c).stream().filter(p -> !p.vector()).mapToLong(ParamLayout.Param::size).sum();
    return matrices - (c.tieWordEmbeddings() ? 0 : embed);
  }

  /**
   * Model FLOPs of one training step (forward + backward, no recomputation counted): 6·P·tokens for
   * the matrix products plus causal attention, 4·T²·D per sequence and layer forward, halved by the
   * mask, times 3 for forward + backward (D = heads·headDim).
   */
  public static double trainFlops(LlamaConfig c, int batch, int seqLen) {
    double tokens = (double) batch * seqLen;
    double attention = 3.0 * 2.0 * seqLen * (double) seqLen * c.queryDim() * c.numHiddenLayers() * batch;
    return 6.0 * matmulParams(c) * tokens + attention;
  }
}
