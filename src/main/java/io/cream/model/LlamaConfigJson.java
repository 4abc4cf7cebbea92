package io.cream.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.ConfigFields;
import io.cream.util.UserError;
import java.util.List;

/** Mapping between config.json keys and {@link LlamaConfig}, with HF's defaults. */
final class LlamaConfigJson {
  private LlamaConfigJson() {}

  // HF's class defaults (LlamaConfig, MistralConfig and Qwen2Config agree on these two).
  static final double DEFAULT_RMS_NORM_EPS = 1e-6;
  static final double DEFAULT_ROPE_THETA = 10000.0;

  static LlamaConfig parse(JsonNode json, String source) {
    if (json == null || !json.isObject()) {
      throw new UserError(source + ": expected a JSON object, got " + (json == null ? "nothing" : json.getNodeType()));
    }
    ConfigFields f = ConfigFields.of(json, source);
    Architecture arch = architecture(json, f, source);

    String act = f.text("hidden_act").orElse(null);
    UserError.require(
        act == null || act.equals("silu"),
        source + ": 'hidden_act' is '" + act + "' but only 'silu' (SwiGLU) is supported");

    int hidden = required(f, "hidden_size");
    int heads = required(f, "num_attention_heads");
    if (!f.has("head_dim")) {
      UserError.require(
          heads > 0 && hidden % heads == 0,
          source + ": 'num_attention_heads' (" + heads + ") must divide 'hidden_size' (" + hidden
              + "), or 'head_dim' must be given");
    }
    int headDim = f.integer("head_dim").orElse(heads > 0 ? hidden / heads : 0);

    boolean qkvBias =
        switch (arch) {
          case LLAMA -> f.flag("attention_bias").orElse(false);
          case MISTRAL -> false;
          case QWEN2 -> true;
        };
    boolean mlpBias = arch == Architecture.LLAMA && f.flag("mlp_bias").orElse(false);
    int slidingWindow =
        switch (arch) {
          case LLAMA -> 0;
          case MISTRAL -> f.integer("sliding_window").orElse(0);
          case QWEN2 -> f.flag("use_sliding_window").orElse(false) ? f.integer("sliding_window").orElse(0) : 0;
        };
    String dtype = f.text(f.has("torch_dtype") ? "torch_dtype" : "dtype").orElse(null);

    return new LlamaConfig(
        arch,
        hidden,
        required(f, "intermediate_size"),
        required(f, "num_hidden_layers"),
        heads,
        f.integer("num_key_value_heads").orElse(heads),
        headDim,
        f.number("rms_norm_eps").orElse(DEFAULT_RMS_NORM_EPS),
        f.number("rope_theta").orElse(DEFAULT_ROPE_THETA),
        required(f, "max_position_embeddings"),
        required(f, "vocab_size"),
        f.flag("tie_word_embeddings").orElse(false),
        qkvBias,
        mlpBias,
        slidingWindow,
        f.integer("bos_token_id").orElse(-1),
        f.integers("eos_token_id"),
        dtype,
        (ObjectNode) json);
  }

  private static int required(ConfigFields f, String key) {
    return f.integer(key).orElseThrow(() -> f.missing(key, "", "add it (a whole number)"));
  }

  /** architectures[0] decides; model_type is the fallback; anything else is refused by name. */
  private static Architecture architecture(JsonNode json, ConfigFields f, String source) {
    String name = null;
    JsonNode archs = json.get("architectures");
    if (archs != null && archs.isArray() && !archs.isEmpty() && archs.get(0).isTextual()) {
      name = archs.get(0).textValue();
    } else if (f.has("model_type")) {
      name = f.text("model_type").orElse(null);
    }
    if (name == null) {
      throw new UserError(source + ": neither 'architectures' nor 'model_type' is set; add"
          + " \"model_type\": \"llama\" (supported: " + Architecture.supportedList() + ")");
    }
    String finalName = name;
    return Architecture.find(name)
        .orElseThrow(() -> new UserError(source + ": architecture '" + finalName
            + "' is not supported (supported: " + Architecture.supportedList() + ")"));
  }

  static ObjectNode write(LlamaConfig c) {
    ObjectNode o = c.raw();
    Architecture arch = c.architecture();
    o.putArray("architectures").add(arch.className());
    o.put("model_type", arch.modelType());
    o.put("hidden_size", c.hiddenSize());
    o.put("intermediate_size", c.intermediateSize());
    o.put("num_hidden_layers", c.numHiddenLayers());
    o.put("num_attention_heads", c.numAttentionHeads());
    o.put("num_key_value_heads", c.numKeyValueHeads());
    if (o.has("head_dim") || c.headDim() * c.numAttentionHeads() != c.hiddenSize()) {
      o.put("head_dim", c.headDim());
    }
    o.put("rms_norm_eps", c.rmsNormEps());
    o.put("rope_theta", c.ropeTheta());
    o.put("max_position_embeddings", c.maxPositionEmbeddings());
    o.put("vocab_size", c.vocabSize());
    o.put("tie_word_embeddings", c.tieWordEmbeddings());
    switch (arch) {
      case LLAMA -> {
        o.put("attention_bias", c.attentionBias());
        o.put("mlp_bias", c.mlpBias());
      }
      case MISTRAL -> {
        if (c.slidingWindow() > 0) o.put("sliding_window", c.slidingWindow());
        else o.putNull("sliding_window");
      }
      case QWEN2 -> {
        o.put("use_sliding_window", c.slidingWindow() > 0);
        if (c.slidingWindow() > 0) o.put("sliding_window", c.slidingWindow());
      }
    }
    if (c.bosTokenId() >= 0) o.put("bos_token_id", c.bosTokenId());
    else if (o.has("bos_token_id")) o.putNull("bos_token_id");
    writeEos(o, c.eosTokenIds());
    String dtypeKey = o.has("dtype") && !o.has("torch_dtype") ? "dtype" : "torch_dtype";
    if (c.torchDtype() != null) o.put(dtypeKey, c.torchDtype());
    else if (o.has(dtypeKey)) o.putNull(dtypeKey);
    return o;
  }

  /** A single id stays a plain int unless the original used a list. */
  private static void writeEos(ObjectNode o, List<Integer> ids) {
    JsonNode old = o.get("eos_token_id");
    if (ids.isEmpty()) {
      if (old != null) o.putNull("eos_token_id");
      return;
    }
    if (ids.size() == 1 && (old == null || !old.isArray())) {
      o.put("eos_token_id", ids.getFirst());
    } else {
      ArrayNode a = o.putArray("eos_token_id");
      ids.forEach(a::add);
    }
  }
}
