package io.cream.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.backend.Backend;
import io.cream.chat.ChatMessage;
import io.cream.chat.ChatTemplateException;
import io.cream.chat.ChatTemplates;
import io.cream.chat.HfChatTemplate;
import io.cream.io.HfCheckpoint;
import io.cream.io.TextTokenizer;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.ModelLoader;
import io.cream.rope.RopeSpec;
import io.cream.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The model a server answers with: weights on a backend, its tokenizer, its chat template (or
 * none), the window it may run in (max_position_embeddings, or the rope_scaling target, or a
 * --rope override's), and the ids that end a reply (the tokenizer's EOS, config.json's and
 * generation_config.json's eos_token_id: chat models often add their end-of-turn token there).
 * Owns and closes all of it.
 */
public final class ServedModel implements AutoCloseable {
  private final String name;
  private final LlamaModel model;
  private final TextTokenizer tokenizer;
  private final HfChatTemplate chatTemplate;
  private final int window;
  private final Set<Integer> stopIds;

  public ServedModel(String name, LlamaModel model, TextTokenizer tokenizer, HfChatTemplate chatTemplate,
      int window, Path modelDir) {
    this.name = name;
    this.model = model;
    this.tokenizer = tokenizer;
    this.chatTemplate = chatTemplate;
    LlamaConfig c = model.config();
    this.window = c.slidingWindow() > 0 ? Math.min(window, c.slidingWindow()) : window;
    Set<Integer> ids = new TreeSet<>(c.eosTokenIds());
    if (tokenizer.eosId() >= 0) ids.add(tokenizer.eosId());
    ids.addAll(generationConfigEos(modelDir));
    this.stopIds = Set.copyOf(ids);
  }

  /**
   * Loads a checkpoint folder: weights onto the backend (with ropeOverride when not null), the
   * tokenizer, and the chat template of chatTemplateFile, else the model's own (or none).
   */
  public static ServedModel load(Path dir, Backend backend, RopeSpec ropeOverride, String name, Path chatTemplateFile) {
    HfChatTemplate template = chatTemplateFile != null ? ChatTemplates.fromFile(chatTemplateFile, dir)
        : ChatTemplates.find(dir).orElse(null);
    TextTokenizer tok = TextTokenizer.load(dir);
    try {
      LlamaModel m = ModelLoader.load(dir, backend, ropeOverride);
      return new ServedModel(name, m, tok, template, ModelLoader.window(dir, ropeOverride), dir);
    } catch (RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  /** Whether chat completions can be served (the model has a chat template). */
  public boolean hasChatTemplate() {
    return chatTemplate != null;
  }

  private static List<Integer> generationConfigEos(Path dir) {
    Path f = dir == null ? null : dir.resolve(HfCheckpoint.GENERATION_CONFIG_FILE);
    if (f == null || !Files.isRegularFile(f)) return List.of();
    JsonNode eos = Json.read(f).get("eos_token_id");
    if (eos == null) return List.of();
    if (eos.canConvertToInt()) return List.of(eos.intValue());
    List<Integer> out = new java.util.ArrayList<>();
    for (JsonNode e : eos) if (e.canConvertToInt()) out.add(e.intValue());
    return out;
  }

  public String name() {
    return name;
  }

  LlamaModel model() {
    return model;
  }

  TextTokenizer tokenizer() {
    return tokenizer;
  }

  /** Tokens a request may use in all: prompt plus completion. */
  public int window() {
    return window;
  }

  boolean isStop(int id) {
    return stopIds.contains(id);
  }

  /**
   * A completions prompt as token ids: a string (tokenized as `cream generate` does, with the
   * tokenizer's BOS), a list of one string, or a list of token ids.
   */
  int[] completionPrompt(JsonNode prompt) {
    if (prompt == null || prompt.isNull()) throw ApiError.invalid("prompt", "'prompt' is required");
    if (prompt.isTextual()) return encode(prompt.textValue());
    if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) return encode(prompt.get(0).textValue());
    if (prompt.isArray() && !prompt.isEmpty() && allInts(prompt)) {
      int[] ids = new int[prompt.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = prompt.get(i).intValue();
        if (ids[i] < 0 || ids[i] >= tokenizer.vocabSize()) {
          throw ApiError.invalid("prompt", "token id " + ids[i] + " is outside the vocabulary [0, " + tokenizer.vocabSize() + ")");
        }
      }
      return ids;
    }
    if (prompt.isArray() && prompt.size() > 1) {
      throw ApiError.unsupported("prompt", "only one prompt per request is supported; send a string");
    }
    throw ApiError.invalid("prompt", "'prompt' must be a string (or a list of token ids)");
  }

  private int[] encode(String text) {
    int[] ids = tokenizer.encode(text);
    if (ids.length == 0) throw ApiError.invalid("prompt", "the prompt is empty");
    return ids;
  }

  private static boolean allInts(JsonNode array) {
    for (JsonNode n : array) if (!n.isIntegralNumber() || !n.canConvertToInt()) return false;
    return true;
  }

  /**
   * A chat's prompt: the messages rendered by the chat template with the generation prompt, then
   * tokenized as rendered (the template writes BOS itself, as Hugging Face's apply_chat_template).
   */
  int[] chatPrompt(List<ChatMessage> messages) {
    if (chatTemplate == null) {
      throw ApiError.invalid("messages", "model '" + name + "' has no chat template (no chat_template in its"
          + " tokenizer_config.json); use /v1/completions, or start the server with --chat-template FILE");
    }
    String text;
    try {
      text = chatTemplate.render(messages, true);
    } catch (ChatTemplateException e) {
      throw ApiError.invalid("messages", e.getMessage());
    }
    int[] ids = tokenizer.encodePlain(text);
    if (ids.length == 0) throw ApiError.invalid("messages", "the chat template rendered an empty prompt");
    return ids;
  }

  /**
   * Refuses a request whose prompt plus completion does not fit the window, in OpenAI's words.
   *
   * @param promptNoun what holds the prompt: "prompt" or "messages"
   */
  void requireFits(int promptTokens, int maxTokens, String promptNoun) {
    if ((long) promptTokens + maxTokens > window) {
      throw new ApiError(400, "invalid_request_error", "max_tokens", "context_length_exceeded",
          "This model's maximum context length is " + window + " tokens. However, you requested "
              + (promptTokens + (long) maxTokens) + " tokens (" + promptTokens + " in the " + promptNoun + ", "
              + maxTokens + " in the completion). Please reduce the length of the " + promptNoun
              + " or the completion.");
    }
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }
}
