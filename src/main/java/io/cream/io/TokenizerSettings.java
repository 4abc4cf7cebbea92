package io.cream.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What a tokenizer adds around text and which ids those are, decided as Hugging Face does:
 * {@code tokenizer_config.json}'s {@code add_bos_token}/{@code add_eos_token} when present,
 * otherwise the {@code post_processor} of {@code tokenizer.json} (a TemplateProcessing whose single
 * template starts with a special token adds BOS; Llama-3's plain ByteLevel adds nothing). Token
 * ids come from {@code bos_token}/{@code eos_token} (a string or an object with {@code content}),
 * else from the template; -1 when unknown.
 */
public record TokenizerSettings(int vocabSize, int bosId, int eosId, boolean addsBos, boolean addsEos) {

  /**
   * Reads the settings from a tokenizer.json file (streaming past the large merges list, which
   * does not matter here) and its parsed tokenizer_config.json (may be null).
   */
  public static TokenizerSettings read(Path tokenizerJson, JsonNode tokenizerConfig) {
    return from(essentials(tokenizerJson), tokenizerConfig, tokenizerJson.toString());
  }

  /** The parts of tokenizer.json used here: model.vocab, added_tokens, post_processor. */
  private static JsonNode essentials(Path file) {
    ObjectNode out = Json.object();
    try (JsonParser p = Json.MAPPER.createParser(file.toFile())) {
      if (p.nextToken() != JsonToken.START_OBJECT) throw new UserError(file + ": expected a JSON object");
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "added_tokens", "post_processor" -> out.set(key, p.readValueAsTree());
          case "model" -> out.set(key, modelVocab(p));
          default -> p.skipChildren();
        }
      }
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new UserError("cannot read tokenizer " + file + ": " + why);
    }
    return out;
  }

  private static ObjectNode modelVocab(JsonParser p) throws IOException {
    ObjectNode model = Json.object();
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return model;
    }
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      if (key.equals("vocab")) model.set(key, p.readValueAsTree());
      else p.skipChildren();
    }
    return model;
  }

  /** Reads the settings from parsed tokenizer.json and tokenizer_config.json (may be null). */
  public static TokenizerSettings from(JsonNode tokenizerJson, JsonNode tokenizerConfig, String source) {
    Map<String, Integer> ids = tokenIds(tokenizerJson);
    int vocabSize = ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    UserError.require(vocabSize > 0, source + ": tokenizer.json has no vocabulary; is it a Hugging Face tokenizer file?");
    JsonNode cfg = tokenizerConfig == null || !tokenizerConfig.isObject() ? null : tokenizerConfig;

    JsonNode template = template(tokenizerJson.get("post_processor"));
    String templateFirst = templateSpecial(template, true);
    String templateLast = templateSpecial(template, false);

    boolean addsBos = flag(cfg, "add_bos_token", templateFirst != null);
    boolean addsEos = flag(cfg, "add_eos_token", templateLast != null);
    int bosId = id(ids, tokenString(cfg, "bos_token"), templateFirst);
    int eosId = id(ids, tokenString(cfg, "eos_token"), templateLast);
    UserError.require(!addsBos || bosId >= 0,
        source + ": the tokenizer adds a BOS token but its id is unknown; set 'bos_token' in tokenizer_config.json");
    UserError.require(!addsEos || eosId >= 0,
        source + ": the tokenizer adds an EOS token but its id is unknown; set 'eos_token' in tokenizer_config.json");
    return new TokenizerSettings(vocabSize, bosId, eosId, addsBos, addsEos);
  }

  /** Every token string → id, from model.vocab (object or Unigram list) and added_tokens. */
  private static Map<String, Integer> tokenIds(JsonNode tok) {
    Map<String, Integer> ids = new HashMap<>();
    JsonNode vocab = tok.path("model").path("vocab");
    if (vocab.isObject()) {
      vocab.properties().forEach(e -> {
        if (e.getValue().canConvertToInt()) ids.put(e.getKey(), e.getValue().intValue());
      });
    } else if (vocab.isArray()) {
      for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i).path(0).asText(), i);
    }
    for (JsonNode added : tok.path("added_tokens")) {
      if (added.path("id").canConvertToInt() && added.path("content").isTextual()) {
        ids.put(added.get("content").textValue(), added.get("id").intValue());
      }
    }
    return ids;
  }

  /** The TemplateProcessing node, alone or inside a Sequence; null if none. */
  private static JsonNode template(JsonNode post) {
    if (post == null || post.isNull()) return null;
    String type = post.path("type").asText();
    if (type.equals("TemplateProcessing")) return post;
    if (type.equals("Sequence")) {
      for (JsonNode p : post.path("processors")) {
        JsonNode t = template(p);
        if (t != null) return t;
      }
    }
    return null;
  }

  /** The special token a single-sequence template puts first (or last), or null. */
  private static String templateSpecial(JsonNode template, boolean first) {
    if (template == null) return null;
    JsonNode single = template.path("single");
    if (!single.isArray() || single.isEmpty()) return null;
    JsonNode piece = single.get(first ? 0 : single.size() - 1).path("SpecialToken");
    if (!piece.path("id").isTextual()) return null;
    String name = piece.get("id").textValue();
    // The template's own special_tokens table maps its names to ids; keep the name to resolve later.
    JsonNode declared = template.path("special_tokens").path(name).path("tokens").path(0);
    return declared.isTextual() ? declared.textValue() : name;
  }

  private static boolean flag(JsonNode cfg, String key, boolean fallback) {
    JsonNode v = cfg == null ? null : cfg.get(key);
    return v != null && v.isBoolean() ? v.booleanValue() : fallback;
  }

  private static String tokenString(JsonNode cfg, String key) {
    JsonNode v = cfg == null ? null : cfg.get(key);
    if (v == null) return null;
    if (v.isTextual()) return v.textValue();
    if (v.isObject() && v.path("content").isTextual()) return v.get("content").textValue();
    return null;
  }

  private static int id(Map<String, Integer> ids, String preferred, String fallback) {
    if (preferred != null && ids.containsKey(preferred)) return ids.get(preferred);
    if (fallback != null && ids.containsKey(fallback)) return ids.get(fallback);
    return -1;
  }
}
