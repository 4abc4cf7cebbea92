package io.cream.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.List;

/**
 * The model shape read from a Hugging Face {@code config.json} (Llama, Mistral or Qwen2).
 *
 * <p>{@code raw} keeps the whole original object, so keys this record does not type (notably
 * {@code rope_scaling}, which the rope package parses) survive {@link #toJson()}. Conventions:
 * {@code bosTokenId} is -1 when the config has none; {@code eosTokenIds} keeps every id HF allows
 * (an int or a list; empty when absent), and {@link #eosTokenId()} is the first; {@code
 * torchDtype} is null when unset; {@code slidingWindow} is 0 for full attention (a sequence longer
 * than it is refused, see {@link #requireFullAttention}). {@code attentionBias} means q/k/v
 * projections carry biases (Qwen2). Fields cream reads but cannot compute are refused here rather
 * than ignored: {@code mlp_bias} true, Llama's {@code attention_bias} true (it adds an o_proj bias).
 */
public record LlamaConfig(
    Architecture architecture,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    int maxPositionEmbeddings,
    int vocabSize,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean mlpBias,
    int slidingWindow,
    int bosTokenId,
    List<Integer> eosTokenIds,
    String torchDtype,
    ObjectNode raw) {

  private static final String SRC = "config.json";
  /** The most values one weight matrix may hold: tensors travel as Java float arrays. */
  public static final long MAX_TENSOR = Integer.MAX_VALUE - 8;

  public LlamaConfig {
    positive("hidden_size", hiddenSize);
    positive("intermediate_size", intermediateSize);
    positive("num_hidden_layers", numHiddenLayers);
    positive("num_attention_heads", numAttentionHeads);
    positive("num_key_value_heads", numKeyValueHeads);
    positive("head_dim", headDim);
    positive("max_position_embeddings", maxPositionEmbeddings);
    positive("vocab_size", vocabSize);
    UserError.require(
        numAttentionHeads % numKeyValueHeads == 0,
        SRC + ": 'num_key_value_heads' (" + numKeyValueHeads + ") must divide 'num_attention_heads' ("
            + numAttentionHeads + "); fix one of them");
    UserError.require(
        headDim % 2 == 0,
        SRC + ": 'head_dim' (" + headDim + ") must be even for rotary embeddings; fix 'head_dim' or"
            + " 'hidden_size'/'num_attention_heads'");
    UserError.require(
        rmsNormEps > 0 && Double.isFinite(rmsNormEps),
        SRC + ": 'rms_norm_eps' must be a positive number, got " + rmsNormEps);
    UserError.require(
        ropeTheta > 0 && Double.isFinite(ropeTheta),
        SRC + ": 'rope_theta' must be a positive number, got " + ropeTheta);
    UserError.require(slidingWindow >= 0, SRC + ": 'sliding_window' must be positive or null, got " + slidingWindow);
    UserError.require(
        bosTokenId >= -1 && bosTokenId < vocabSize,
        SRC + ": 'bos_token_id' (" + bosTokenId + ") must lie in [0, vocab_size=" + vocabSize + ")");
    eosTokenIds = List.copyOf(eosTokenIds);
    for (int eos : eosTokenIds) {
      UserError.require(
          eos >= 0 && eos < vocabSize,
          SRC + ": 'eos_token_id' (" + eos + ") must lie in [0, vocab_size=" + vocabSize + ")");
    }
    UserError.require(architecture != null, SRC + ": architecture is missing");
    UserError.require(
        architecture != Architecture.QWEN2 || attentionBias,
        SRC + ": qwen2 always has q/k/v biases (attentionBias must be true)");
    UserError.require(!mlpBias, SRC + ": 'mlp_bias' is true, but cream's MLP has no biases"
        + " (gate/up/down_proj.bias); this checkpoint is not supported");
    UserError.require(architecture != Architecture.LLAMA || !attentionBias, SRC + ": 'attention_bias'"
        + " is true, which in Llama adds an o_proj bias cream does not compute; this checkpoint is"
        + " not supported");
    UserError.require(
        architecture != Architecture.MISTRAL || !attentionBias,
        SRC + ": mistral has no attention biases");
    UserError.require(
        architecture != Architecture.LLAMA || slidingWindow == 0,
        SRC + ": llama has no sliding-window attention");
    oneTensor("vocab_size", vocabSize, "hidden_size", hiddenSize);
    oneTensor("intermediate_size", intermediateSize, "hidden_size", hiddenSize);
    oneTensor("num_attention_heads × head_dim", (long) numAttentionHeads * headDim, "hidden_size", hiddenSize);
    raw = raw == null ? Json.object() : raw.deepCopy();
  }

  /** Reads and validates a config.json file; every error names the file and the key. */
  public static LlamaConfig read(Path configJson) {
    return LlamaConfigJson.parse(Json.read(configJson), configJson.toString());
  }

  /** Validates and types an already-parsed config.json object. */
  public static LlamaConfig fromJson(JsonNode json) {
    return LlamaConfigJson.parse(json, SRC);
  }

  /** A copy of {@link #raw()} with the typed fields written back (unknown keys kept). */
  public ObjectNode toJson() {
    return LlamaConfigJson.write(this);
  }

  /**
   * Equal when {@link #toJson()} is equal: the typed fields and every other key, whatever stale
   * values {@code raw} still holds for the typed ones.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof LlamaConfig c && toJson().equals(c.toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  /** A copy of the whole original JSON object (typed fields as originally read). */
  @Override
  public ObjectNode raw() {
    return raw.deepCopy();
  }

  /**
   * Refuses a sequence of {@code tokens} where sliding-window attention would differ from the full
   * causal attention cream computes. Transformers hides key j from query i when i − j ≥
   * sliding_window, so up to sliding_window tokens the two are the same.
   */
  public void requireFullAttention(int tokens) {
    if (slidingWindow > 0 && tokens > slidingWindow) {
      throw new UserError(SRC + " sets 'sliding_window' " + slidingWindow + " (local attention), which"
          + " cream does not compute: its full attention matches it only up to " + slidingWindow
          + " tokens, and this needs " + tokens + "; stay within " + slidingWindow
          + " tokens, or use a checkpoint without sliding_window");
    }
  }

  /** The first end-of-sequence id, or -1 when the config has none. */
  public int eosTokenId() {
    return eosTokenIds.isEmpty() ? -1 : eosTokenIds.getFirst();
  }

  /** Query heads per KV head (grouped-query attention). */
  public int kvGroups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /** Width of the concatenated query heads. */
  public int queryDim() {
    return numAttentionHeads * headDim;
  }

  /** Width of the concatenated key (or value) heads. */
  public int kvDim() {
    return numKeyValueHeads * headDim;
  }

  /** This config with another max_position_embeddings (e.g. the extended window f·N). */
  public LlamaConfig withMaxPositionEmbeddings(int maxPositions) {
    return new LlamaConfig(architecture, hiddenSize, intermediateSize, numHiddenLayers,
        numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, maxPositions, vocabSize,
        tieWordEmbeddings, attentionBias, mlpBias, slidingWindow, bosTokenId, eosTokenIds,
        torchDtype, raw);
  }

  /**
   * This config with {@code rope_scaling} replaced in the raw JSON (null removes it). The value is
   * stored as given: the rope package builds and parses it.
   */
  public LlamaConfig withRopeScaling(JsonNode ropeScaling) {
    ObjectNode copy = raw.deepCopy();
    if (ropeScaling == null) copy.remove("rope_scaling");
    else copy.set("rope_scaling", ropeScaling.deepCopy());
    return new LlamaConfig(architecture, hiddenSize, intermediateSize, numHiddenLayers,
        numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, maxPositionEmbeddings,
        vocabSize, tieWordEmbeddings, attentionBias, mlpBias, slidingWindow, bosTokenId,
        eosTokenIds, torchDtype, copy);
  }

  /** Every weight matrix must fit one tensor (a Java float array, 2^31 − 9 values). */
  private static void oneTensor(String rowsKey, long rows, String colsKey, int cols) {
    long n = rows * cols; // both below 2^31: no overflow
    UserError.require(n <= MAX_TENSOR, String.format("%s: '%s' × '%s' = %,d × %,d = %,d values in one"
        + " weight matrix, more than a tensor can hold (%,d); fix '%s' or '%s'", SRC, rowsKey, colsKey,
        rows, cols, n, MAX_TENSOR, colsKey, rowsKey.split(" ")[0]));
  }

  private static void positive(String key, int value) {
    UserError.require(value > 0, SRC + ": '" + key + "' must be a positive integer, got " + value + "; fix it");
  }
}
