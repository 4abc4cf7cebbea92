package io.cream.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;

/** Small model configs for tests. */
final class TinyModels {
  private TinyModels() {}

  /** 2 layers, GQA 4:2, head dim 8, optional q/k/v bias (Qwen2) and tied embeddings. */
  static LlamaConfig config(int vocab, boolean tied, boolean bias, double initRange) {
    ObjectNode j = Json.object();
    j.putArray("architectures").add(bias ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    j.put("model_type", bias ? "qwen2" : "llama");
    j.put("hidden_size", 16);
    j.put("intermediate_size", 24);
    j.put("num_hidden_layers", 2);
    j.put("num_attention_heads", 4);
    j.put("num_key_value_heads", 2);
    j.put("head_dim", 4);
    j.put("rms_norm_eps", 1e-5);
    j.put("rope_theta", 10000.0);
    j.put("max_position_embeddings", 64);
    j.put("vocab_size", vocab);
    j.put("tie_word_embeddings", tied);
    j.put("initializer_range", initRange);
    j.put("bos_token_id", 1);
    j.put("eos_token_id", 2);
    return LlamaConfig.fromJson(j);
  }
}
