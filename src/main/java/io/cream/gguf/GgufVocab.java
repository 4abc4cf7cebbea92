package io.cream.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.io.TextTokenizer;
import io.cream.io.TokenizerSettings;
import io.cream.model.LlamaConfig;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face tokenizer.json as llama.cpp's "llama" (SentencePiece) tokenizer: the pieces by
 * id, a score and a type per piece, the special ids and whether BOS/EOS are added.
 *
 * <p>Only SentencePiece-style byte-fallback BPE is supported (Llama 2, Mistral, and the small
 * vocabularies {@code cream vocab} cuts from them): "▁" stands for a space, one is put before the
 * text, and characters outside the vocabulary become {@code <0xNN>} byte pieces — which llama.cpp's
 * "llama" tokenizer does too. Its "gpt2" tokenizer would instead map bytes to GPT-2's printable
 * characters and split text with a regex first, which this vocabulary never did.
 *
 * <p>The scores carry the merges. Hugging Face's BPE applies the lowest-ranked merge among the
 * adjacent pairs; llama.cpp merges the adjacent pair whose joined piece scores highest. With
 * score(piece) = −(rank of the first merge that makes it) the two pick the same pairs in the same
 * order as long as every pair whose join is a piece is also a merge, which holds for
 * SentencePiece-derived vocabularies (checked on the shipped ones: LlamaCppParityTest compares
 * token ids on text). llama.cpp's own converter gives every piece −1000 here, which merges
 * left to right instead. Pieces no merge makes (characters, bytes, specials) score below every merge.
 *
 * @param pieces the piece of each id, padded to the model's vocab size with [PADn]
 * @param scores one per piece
 * @param types llama.cpp's token types, one per piece
 */
public record GgufVocab(List<String> pieces, float[] scores, int[] types, int bosId, int eosId, int unkId,
    boolean addBos, boolean addEos, boolean addSpacePrefix) {

  /** llama.cpp's token types. */
  static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;

  public GgufVocab {
    pieces = List.copyOf(pieces);
    scores = scores.clone();
    types = types.clone();
  }

  /**
   * Reads {@code dir}/tokenizer.json (and tokenizer_config.json beside it) for {@code config}'s
   * model; BOS and EOS ids the tokenizer files do not name come from config.json.
   */
  public static GgufVocab read(Path dir, LlamaConfig config) {
    Path file = dir.resolve(TextTokenizer.TOKENIZER_FILE);
    UserError.require(Files.isRegularFile(file), "export gguf: " + dir + " has no " + TextTokenizer.TOKENIZER_FILE
        + "; a GGUF file carries its tokenizer, so the model folder needs one");
    JsonNode json = Json.read(file);
    Path configFile = dir.resolve(TextTokenizer.CONFIG_FILE);
    JsonNode tokenizerConfig = Files.isRegularFile(configFile) ? Json.read(configFile) : null;
    TokenizerSettings settings = TokenizerSettings.from(json, tokenizerConfig, file.toString());
    return from(json, settings, config.vocabSize(), file.toString(), config.bosTokenId(), config.eosTokenId());
  }

  static GgufVocab from(JsonNode json, TokenizerSettings settings, int vocabSize, String source, int configBos,
      int configEos) {
    JsonNode model = json.path("model");
    boolean prefix = sentencePieceSpaces(json, source);
    UserError.require(model.path("type").asText().equals("BPE") && model.path("byte_fallback").asBoolean(false),
        "export gguf: " + source + " is not a byte-fallback BPE tokenizer (as Llama 2 and Mistral use);"
            + " only that kind maps onto llama.cpp's 'llama' tokenizer");
    UserError.require(model.path("continuing_subword_prefix").isNull() || model.path("continuing_subword_prefix").isMissingNode(),
        "export gguf: " + source + " uses a continuing_subword_prefix, which llama.cpp's 'llama' tokenizer lacks");

    String[] byId = new String[Math.max(vocabSize, settings.vocabSize())];
    Map<String, Integer> ids = new HashMap<>();
    model.path("vocab").properties().forEach(e -> ids.put(e.getKey(), e.getValue().asInt()));
    for (JsonNode added : json.path("added_tokens")) ids.put(added.path("content").asText(), added.path("id").asInt());
    ids.forEach((piece, id) -> {
      UserError.require(id >= 0 && id < byId.length && byId[id] == null,
          "export gguf: " + source + ": token id " + id + " of '" + piece + "' is out of range or used twice");
      byId[id] = piece;
    });
    UserError.require(settings.vocabSize() <= vocabSize, "export gguf: the tokenizer has " + settings.vocabSize()
        + " tokens but config.json's vocab_size is " + vocabSize + "; they must agree");

    Map<String, Integer> firstRank = new HashMap<>();
    JsonNode merges = model.path("merges");
    for (int r = 0; r < merges.size(); r++) {
      JsonNode m = merges.get(r);
      String joined = m.isArray() ? m.get(0).asText() + m.get(1).asText() : m.asText().replaceFirst(" ", "");
      firstRank.putIfAbsent(joined, r);
    }

    Map<Integer, Boolean> added = new HashMap<>();
    for (JsonNode a : json.path("added_tokens")) added.put(a.path("id").asInt(), a.path("special").asBoolean(true));
    String unk = model.path("unk_token").asText(null);
    int unkId = unk != null && ids.containsKey(unk) ? ids.get(unk) : -1;

    List<String> pieces = new ArrayList<>(byId.length);
    float[] scores = new float[byId.length];
    int[] types = new int[byId.length];
    float lowest = -(float) merges.size() - 1;
    for (int id = 0; id < byId.length; id++) {
      String piece = byId[id];
      if (piece == null) {
        pieces.add("[PAD" + id + "]");
        types[id] = UNUSED;
        scores[id] = lowest;
        continue;
      }
      pieces.add(piece);
      Integer rank = firstRank.get(piece);
      scores[id] = rank != null ? -rank : lowest;
      if (id == unkId) types[id] = UNKNOWN;
      else if (added.containsKey(id)) types[id] = added.get(id) ? CONTROL : USER_DEFINED;
      else if (piece.matches("<0x[0-9A-Fa-f]{2}>")) types[id] = BYTE;
      else types[id] = NORMAL;
    }
    int bos = settings.bosId() >= 0 ? settings.bosId() : configBos;
    int eos = settings.eosId() >= 0 ? settings.eosId() : configEos;
    return new GgufVocab(pieces, scores, types, bos, eos, unkId,
        settings.addsBos(), settings.addsEos(), prefix);
  }

  /**
   * Whether the tokenizer writes spaces as "▁" the SentencePiece way, and so whether it puts one
   * before the text. Two spellings exist: a normalizer (Prepend "▁", Replace " " → "▁"; Llama 2,
   * Mistral) or a Metaspace pre-tokenizer that does not split (newer transformers). Anything else
   * is refused.
   */
  private static boolean sentencePieceSpaces(JsonNode json, String source) {
    JsonNode norm = json.path("normalizer");
    JsonNode pre = json.path("pre_tokenizer");
    String refused = "export gguf: " + source + " does not write spaces as '▁' the SentencePiece way (normalizer "
        + norm.path("type").asText("none") + ", pre_tokenizer " + pre.path("type").asText("none")
        + "); only Llama-2/Mistral-style tokenizers can be exported";
    if (isNone(pre) && norm.path("type").asText().equals("Sequence")) {
      List<String> steps = new ArrayList<>();
      for (JsonNode n : norm.path("normalizers")) {
        switch (n.path("type").asText()) {
          case "Prepend" -> steps.add(n.path("prepend").asText().equals("▁") ? "prepend" : "other");
          case "Replace" -> steps.add(n.path("pattern").path("String").asText().equals(" ")
              && n.path("content").asText().equals("▁") ? "replace" : "other");
          default -> steps.add("other");
        }
      }
      if (steps.equals(List.of("prepend", "replace"))) return true;
      if (steps.equals(List.of("replace"))) return false;
      throw new UserError(refused);
    }
    if (isNone(norm) && pre.path("type").asText().equals("Metaspace") && pre.path("replacement").asText().equals("▁")
        && !pre.path("split").asBoolean(true)) {
      String scheme = pre.path("prepend_scheme").asText(pre.path("add_prefix_space").asBoolean(true) ? "always" : "never");
      return !scheme.equals("never");
    }
    throw new UserError(refused);
  }

  private static boolean isNone(JsonNode n) {
    return n.isMissingNode() || n.isNull();
  }

  @Override
  public float[] scores() {
    return scores.clone();
  }

  @Override
  public int[] types() {
    return types.clone();
  }

  /** Writes the tokenizer.ggml.* keys. */
  public void addTo(GgufMetadata m) {
    m.putString("tokenizer.ggml.model", "llama");
    m.putStrings("tokenizer.ggml.tokens", pieces);
    m.putFloats("tokenizer.ggml.scores", scores);
    m.putInts("tokenizer.ggml.token_type", types);
    if (bosId >= 0) m.putUint32("tokenizer.ggml.bos_token_id", bosId);
    if (eosId >= 0) m.putUint32("tokenizer.ggml.eos_token_id", eosId);
    if (unkId >= 0) m.putUint32("tokenizer.ggml.unknown_token_id", unkId);
    m.putBool("tokenizer.ggml.add_bos_token", addBos);
    m.putBool("tokenizer.ggml.add_eos_token", addEos);
    m.putBool("tokenizer.ggml.add_space_prefix", addSpacePrefix);
  }

  @Override
  public String toString() {
    return "GgufVocab[" + pieces.size() + " pieces, bos " + bosId + ", eos " + eosId + ", unk " + unkId
        + ", scores " + Arrays.toString(Arrays.copyOf(scores, Math.min(4, scores.length))) + "...]";
  }
}
