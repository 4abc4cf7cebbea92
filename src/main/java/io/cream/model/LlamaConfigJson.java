package io.cream.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
    ConfigFields f = new ConfigFields(json, source);
    Architecture arch = architecture(json, f, source);

    String act = f.optionalString("hidden_act");
    UserError.require(
        act == null || act.equals("silu"),
        source + ": 'hidden_act' is '" + act + "' but only 'silu' (SwiGLU) is supported");

    int hidden = f.requiredInt("hidden_size");
    int heads = f.requiredInt("num_attention_heads");
    if (!f.has("head_dim")) {
      UserError.require(
          heads > 0 && hidden % heads == 0,
          source + ": 'num_attention_heads' (" + heads + ") must divide 'hidden_size' (" + hidden
              + "), or 'head_dim' must be given");
    }
    int headDim = f.optionalInt("head_dim", heads > 0 ? hidden / heads : 0);

    boolean qkvBias =
        switch (arch) {
          case LLAMA -> f.optionalBoolean("attention_bias", false);
          case MISTRAL -> false;
          case QWEN2 -> true;
        };
    boolean mlpBias = arch == Architecture.LLAMA && f.optionalBoolean("mlp_bias", false);
    int slidingWindow =
        switch (arch) {
          case LLAMA -> 0;
          case MISTRAL -> f.optionalInt("sliding_window", 0);
          case QWEN2 -> f.optionalBoolean("use_sliding_window", false) ? f.optionalInt("sliding_window", 0) : 0;
        };
    String dtype = f.has("torch_dtype") ? f.optionalString("torch_dtype") : f.optionalString("dtype");

    return new LlamaConfig(
        arch,
        hidden,
        f.requiredInt("intermediate_size"),
        f.requiredInt("num_hidden_layers"),
        heads,
        f.optionalInt("num_key_value_heads", heads),
        headDim,
        f.optionalDouble("rms_norm_eps", DEFAULT_RMS_NORM_EPS),
        f.optionalDouble("rope_theta", DEFAULT_ROPE_THETA),
        f.requiredInt("max_position_embeddings"),
        f.requiredInt("vocab_size"),
        f.optionalBoolean("tie_word_embeddings", false),
        qkvBias,
        mlpBias,
        slidingWindow,
        f.optionalInt("bos_token_id", -1),
        f.intOrIntList("eos_token_id"),
        dtype,
        (ObjectNode) json);
  }

  /** architectures[0] decides; model_type is the fallback; anything else is refused by name. */
  private static Architecture architecture(JsonNode json, ConfigFields f, String source) {
    String name = null;
    JsonNode archs = json.get("architectures");
    if (archs != null && archs.isArray() && !archs.isEmpty() && archs.get(0).isTextual()) {
      name = archs.get(0).textValue();
    } else if (f.has("model_type")) {
      name = f.optionalString("model_type");
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
