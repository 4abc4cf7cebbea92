package io.cream.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.io.TextTokenizer;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds a model's chat template where Hugging Face keeps it: {@code chat_template.jinja} beside
 * the tokenizer (newer transformers write it there), else the {@code chat_template} of
 * tokenizer_config.json — a string, or a list of named templates of which "default" is used. The
 * special tokens the template may print come from tokenizer_config.json.
 */
public final class ChatTemplates {
  public static final String JINJA_FILE = "chat_template.jinja";
  private static final List<String> TOKEN_NAMES = List.of("bos_token", "eos_token", "unk_token", "pad_token");

  private ChatTemplates() {}

  /** The template of a model or tokenizer folder (or of the folder of a tokenizer.json), if any. */
  public static Optional<HfChatTemplate> find(Path modelOrTokenizer) {
    Path dir = folder(modelOrTokenizer);
    JsonNode config = tokenizerConfig(dir);
    Path jinja = dir.resolve(JINJA_FILE);
    String source = Files.isRegularFile(jinja) ? read(jinja)
        : fromConfig(config.get("chat_template"), dir.resolve(TextTokenizer.CONFIG_FILE));
    if (source == null) return Optional.empty();
    return Optional.of(new HfChatTemplate(source, specialTokens(config)));
  }

  /** As {@link #find}, or a UserError saying how to give the model a template. */
  public static HfChatTemplate require(Path modelOrTokenizer, String neededFor) {
    return find(modelOrTokenizer).orElseThrow(() -> new UserError(modelOrTokenizer + " has no chat template ("
        + neededFor + " needs one): add a \"chat_template\" to its " + TextTokenizer.CONFIG_FILE
        + " or a " + JINJA_FILE + " file beside it"));
  }

  /** A template read from a file (e.g. serve --chat-template) with the model's special tokens. */
  public static HfChatTemplate fromFile(Path templateFile, Path modelOrTokenizer) {
    UserError.require(Files.isRegularFile(templateFile), "chat template file not found: " + templateFile);
    return new HfChatTemplate(read(templateFile), specialTokens(tokenizerConfig(folder(modelOrTokenizer))));
  }

  private static Path folder(Path modelOrTokenizer) {
    return Files.isDirectory(modelOrTokenizer) ? modelOrTokenizer : modelOrTokenizer.toAbsolutePath().getParent();
  }

  private static JsonNode tokenizerConfig(Path dir) {
    Path file = dir.resolve(TextTokenizer.CONFIG_FILE);
    return Files.isRegularFile(file) ? Json.read(file) : Json.object();
  }

  private static String fromConfig(JsonNode t, Path configFile) {
    if (t == null || t.isNull()) return null;
    if (t.isTextual()) return t.textValue();
    if (t.isArray()) {
      for (JsonNode named : t) {
        if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
          return named.get("template").textValue();
        }
      }
    }
    throw new UserError(configFile + ": \"chat_template\" must be a string or a list of {\"name\", \"template\"}"
        + " with one named \"default\"");
  }

  /** bos_token, eos_token, ...: strings, or objects with "content" (AddedToken) in tokenizer_config.json. */
  private static Map<String, String> specialTokens(JsonNode config) {
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String name : TOKEN_NAMES) {
      JsonNode v = config.get(name);
      if (v != null && v.isTextual()) tokens.put(name, v.textValue());
      else if (v != null && v.path("content").isTextual()) tokens.put(name, v.get("content").textValue());
    }
    return tokens;
  }

  private static String read(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read chat template " + f, e);
    }
  }
}
