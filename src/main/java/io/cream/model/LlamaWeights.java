package io.cream.model;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * All parameter tensors of a model on one backend, by Hugging Face name and as typed per-layer
 * records. The same class holds weights, gradients and each AdamW moment. With tied embeddings
 * {@link #lmHead()} is the embedding table itself.
 */
public final class LlamaWeights implements AutoCloseable {
  private final Map<String, Tensor> byName;
  private final Tensor embed;
  private final Tensor finalNorm;
  private final Tensor lmHead;
  private final LayerWeights[] layers;

  private LlamaWeights(LlamaConfig config, Map<String, Tensor> byName) {
    this.byName = byName;
    this.embed = byName.get(ParamLayout.EMBED);
    this.finalNorm = byName.get(ParamLayout.FINAL_NORM);
    this.lmHead = config.tieWordEmbeddings() ? embed : byName.get(ParamLayout.LM_HEAD);
    this.layers = new LayerWeights[config.numHiddenLayers()];
    for (int l = 0; l < layers.length; l++) {
      String p = ParamLayout.layerPrefix(l);
      layers[l] = new LayerWeights(
          byName.get(p + "input_layernorm.weight"),
          byName.get(p + "self_attn.q_proj.weight"),
          byName.get(p + "self_attn.k_proj.weight"),
          byName.get(p + "self_attn.v_proj.weight"),
          byName.get(p + "self_attn.q_proj.bias"),
          byName.get(p + "self_attn.k_proj.bias"),
          byName.get(p + "self_attn.v_proj.bias"),
          byName.get(p + "self_attn.o_proj.weight"),
          byName.get(p + "post_attention_layernorm.weight"),
          byName.get(p + "mlp.gate_proj.weight"),
          byName.get(p + "mlp.up_proj.weight"),
          byName.get(p + "mlp.down_proj.weight"));
    }
  }

  /** Builds every parameter with {@code make(param)}, in layout order. */
  public static LlamaWeights create(LlamaConfig config, Function<ParamLayout.Param, Tensor> make) {
    Map<String, Tensor> map = new LinkedHashMap<>();
    for (ParamLayout.Param p : ParamLayout.of(config)) map.put(p.name(), make.apply(p));
    return new LlamaWeights(config, map);
  }

  /** Zero-filled tensors of the model's shapes (gradients, optimizer moments). */
  public static LlamaWeights zeros(LlamaConfig config, Backend backend) {
    return create(config, p -> backend.zeros(p.rows(), p.cols()));
  }

  public Tensor embed() {
    return embed;
  }

  public Tensor finalNorm() {
    return finalNorm;
  }

  public Tensor lmHead() {
    return lmHead;
  }

  public LayerWeights layer(int l) {
    return layers[l];
  }

  public int layerCount() {
    return layers.length;
  }

  /** Parameters by HF name, in layout order (lm_head absent when tied). */
  public Map<String, Tensor> byName() {
    return byName;
  }

  public List<Tensor> all() {
    return List.copyOf(byName.values());
  }

  @Override
  public void close() {
    byName.values().forEach(Tensor::close);
  }
}
