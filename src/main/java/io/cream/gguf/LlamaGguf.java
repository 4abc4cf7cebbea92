package io.cream.gguf;

import io.cream.backend.Backend;
import io.cream.model.Architecture;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.ParamLayout;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cream Llama model laid out the way llama.cpp's LLAMA architecture reads it: the hyperparameter
 * keys, the tensors under llama.cpp's names in ggml's dimension order, q/k rows in adjacent-pair
 * order ({@link RotaryPairs}), the RoPE scaling ({@link GgufRope}) and the tokenizer
 * ({@link GgufVocab}). With tied embeddings no output tensor is written: llama.cpp then uses
 * token_embd for the output layer, as transformers does.
 */
public final class LlamaGguf {
  static final String ARCH = "llama";

  /** Hugging Face's parameter name (after the layer prefix) → llama.cpp's, per block. */
  private static final Map<String, String> BLOCK_NAMES = Map.of(
      "input_layernorm.weight", "attn_norm.weight",
      "self_attn.q_proj.weight", "attn_q.weight",
      "self_attn.k_proj.weight", "attn_k.weight",
      "self_attn.v_proj.weight", "attn_v.weight",
      "self_attn.o_proj.weight", "attn_output.weight",
      "post_attention_layernorm.weight", "ffn_norm.weight",
      "mlp.gate_proj.weight", "ffn_gate.weight",
      "mlp.up_proj.weight", "ffn_up.weight",
      "mlp.down_proj.weight", "ffn_down.weight");

  private LlamaGguf() {}

  /** The file's keys and tensors for {@code model} (its RoPE read from {@code rope}). */
  public static Contents of(LlamaModel model, RopeSpec rope, GgufVocab vocab, GgufDType dtype, String name) {
    LlamaConfig c = model.config();
    requireSupported(c);
    GgufRope ggufRope = GgufRope.of(rope);

    GgufMetadata m = new GgufMetadata();
    m.putString("general.architecture", ARCH);
    m.putString("general.name", name);
    m.putUint32("general.file_type", dtype.fileType());
    m.putUint32("general.quantization_version", 2);
    m.putUint32(ARCH + ".vocab_size", c.vocabSize());
    m.putUint32(ARCH + ".context_length", Math.max(c.maxPositionEmbeddings(), rope.maxPositionEmbeddings()));
    m.putUint32(ARCH + ".embedding_length", c.hiddenSize());
    m.putUint32(ARCH + ".block_count", c.numHiddenLayers());
    m.putUint32(ARCH + ".feed_forward_length", c.intermediateSize());
    m.putUint32(ARCH + ".attention.head_count", c.numAttentionHeads());
    m.putUint32(ARCH + ".attention.head_count_kv", c.numKeyValueHeads());
    m.putUint32(ARCH + ".attention.key_length", c.headDim());
    m.putUint32(ARCH + ".attention.value_length", c.headDim());
    m.putFloat32(ARCH + ".attention.layer_norm_rms_epsilon", c.rmsNormEps());
    m.putUint32(ARCH + ".rope.dimension_count", c.headDim());
    ggufRope.addTo(m, ARCH);
    // Provenance only (llama.cpp ignores keys it does not know): the scaling as cream names it.
    m.putString("cream.rope.type", rope.type().cliName());
    if (rope.type() != RopeType.DEFAULT) {
      m.putFloat32("cream.rope.factor", rope.factor());
      m.putUint32("cream.rope.original_context_length", rope.originalMaxPositionEmbeddings());
    }
    vocab.addTo(m);

    List<GgufTensor> tensors = new ArrayList<>();
    Backend backend = model.backend();
    for (ParamLayout.Param p : ParamLayout.of(c)) {
      float[] values = backend.download(model.weights().byName().get(p.name()));
      String gguf = ggufName(p.name());
      if (gguf.endsWith("attn_q.weight")) values = RotaryPairs.toAdjacent(values, c.numAttentionHeads(), c.headDim(), p.cols());
      if (gguf.endsWith("attn_k.weight")) values = RotaryPairs.toAdjacent(values, c.numKeyValueHeads(), c.headDim(), p.cols());
      long[] dims = p.vector() ? new long[] {p.cols()} : new long[] {p.cols(), p.rows()};
      tensors.add(new GgufTensor(gguf, dims, dtype.typeFor(dims), values));
    }
    GgufTensor freqs = ggufRope.freqsTensor();
    if (freqs != null) tensors.add(freqs);
    return new Contents(m, tensors, ggufRope);
  }

  /** Refuses a model llama.cpp's llama graph would compute differently. */
  public static void requireSupported(LlamaConfig c) {
    UserError.require(c.architecture() != Architecture.QWEN2, "export gguf: " + c.architecture().modelType()
        + " checkpoints (q/k/v biases) are not supported; only Llama and Mistral map onto llama.cpp's llama graph");
  }

  /** llama.cpp's name for a Hugging Face parameter name. */
  static String ggufName(String hf) {
    switch (hf) {
      case ParamLayout.EMBED -> { return "token_embd.weight"; }
      case ParamLayout.FINAL_NORM -> { return "output_norm.weight"; }
      case ParamLayout.LM_HEAD -> { return "output.weight"; }
      default -> {}
    }
    String rest = hf.substring("model.layers.".length());
    int dot = rest.indexOf('.');
    String mapped = BLOCK_NAMES.get(rest.substring(dot + 1));
    if (mapped == null) throw new IllegalArgumentException("no GGUF name for " + hf);
    return "blk." + rest.substring(0, dot) + "." + mapped;
  }

  /** What goes into the file. */
  public record Contents(GgufMetadata metadata, List<GgufTensor> tensors, GgufRope rope) {}
}
