package io.cream.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The named parameter tensors of a Llama-family model, with their Hugging Face names and shapes,
 * in a fixed order (the order of optimizer state and checkpoints).
 */
public final class ParamLayout {
  /** One parameter: HF name and [rows × cols] shape (a norm or bias is 1 × n, saved as [n]). */
  public record Param(String name, int rows, int cols, boolean vector) {
    public long size() {
      return (long) rows * cols;
    }

    /** The shape as stored in safetensors. */
    public long[] hfShape() {
      return vector ? new long[] {cols} : new long[] {rows, cols};
    }
  }

  public static final String EMBED = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  private ParamLayout() {}

  public static String layerPrefix(int layer) {
    return "model.layers." + layer + ".";
  }

  /** Every parameter of the model; lm_head is absent when embeddings are tied. */
  public static List<Param> of(LlamaConfig c) {
    int hidden = c.hiddenSize();
    int q = c.numAttentionHeads() * c.headDim();
    int kv = c.numKeyValueHeads() * c.headDim();
    int ffn = c.intermediateSize();
    List<Param> out = new ArrayList<>();
    out.add(new Param(EMBED, c.vocabSize(), hidden, false));
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = layerPrefix(l);
      out.add(new Param(p + "input_layernorm.weight", 1, hidden, true));
      out.add(new Param(p + "self_attn.q_proj.weight", q, hidden, false));
      out.add(new Param(p + "self_attn.k_proj.weight", kv, hidden, false));
      out.add(new Param(p + "self_attn.v_proj.weight", kv, hidden, false));
      if (c.attentionBias()) {
        out.add(new Param(p + "self_attn.q_proj.bias", 1, q, true));
        out.add(new Param(p + "self_attn.k_proj.bias", 1, kv, true));
        out.add(new Param(p + "self_attn.v_proj.bias", 1, kv, true));
      }
      out.add(new Param(p + "self_attn.o_proj.weight", hidden, q, false));
      out.add(new Param(p + "post_attention_layernorm.weight", 1, hidden, true));
      out.add(new Param(p + "mlp.gate_proj.weight", ffn, hidden, false));
      out.add(new Param(p + "mlp.up_proj.weight", ffn, hidden, false));
      out.add(new Param(p + "mlp.down_proj.weight", hidden, ffn, false));
    }
    out.add(new Param(FINAL_NORM, 1, hidden, true));
    if (!c.tieWordEmbeddings()) out.add(new Param(LM_HEAD, c.vocabSize(), hidden, false));
    return out;
  }

  /** Total number of parameters. */
  public static long count(LlamaConfig c) {
    return of(c).stream().mapToLong(Param::size).sum();
  }
}
