package io.cream.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Conversations in the two JSON shapes chat data comes in: OpenAI's
 * {@code {"messages": [{"role": "user", "content": "..."}, ...]}} and ShareGPT's
 * {@code {"conversations": [{"from": "human", "value": "..."}, ...]}} (human → user, gpt →
 * assistant, system stays). OpenAI content may also be a list of parts, whose text parts are
 * joined.
 */
public final class Conversations {
  private static final Map<String, String> SHAREGPT_ROLES = Map.of(
      "human", "user", "user", "user", "gpt", "assistant", "assistant", "assistant",
      "chatgpt", "assistant", "system", "system");

  private Conversations() {}

  /** Whether a JSON object holds a conversation in either shape. */
  public static boolean isConversation(JsonNode node) {
    return node != null && (node.has("messages") || node.has("conversations"));
  }

  /**
   * The messages of a conversation object.
   *
   * @throws IllegalArgumentException with a one-line reason when the shape is wrong
   */
  public static List<ChatMessage> parse(JsonNode node) {
    if (node.has("messages")) return openAi(node.get("messages"));
    if (node.has("conversations")) return shareGpt(node.get("conversations"));
    throw new IllegalArgumentException("no \"messages\" (OpenAI) or \"conversations\" (ShareGPT) list");
  }

  /** OpenAI's messages list: role and content (a string, or parts whose text is joined). */
  public static List<ChatMessage> openAi(JsonNode messages) {
    if (messages == null || !messages.isArray() || messages.isEmpty()) {
      throw new IllegalArgumentException("\"messages\" must be a non-empty list of {\"role\", \"content\"}");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      JsonNode m = messages.get(i);
      JsonNode role = m.get("role");
      if (role == null || !role.isTextual() || role.textValue().isEmpty()) {
        throw new IllegalArgumentException("messages[" + i + "] has no string \"role\"");
      }
      out.add(new ChatMessage(role.textValue(), content(m.get("content"), "messages[" + i + "]")));
    }
    return out;
  }

  private static String content(JsonNode c, String where) {
    if (c == null || c.isNull()) return "";
    if (c.isTextual()) return c.textValue();
    if (c.isArray()) {
      StringBuilder b = new StringBuilder();
      for (JsonNode part : c) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw new IllegalArgumentException(where + ".content has a part that is not {\"type\": \"text\", \"text\": \"...\"}"
              + " (only text is supported)");
        }
        b.append(part.get("text").textValue());
      }
      return b.toString();
    }
    throw new IllegalArgumentException(where + ".content must be a string or a list of text parts");
  }

  private static List<ChatMessage> shareGpt(JsonNode turns) {
    if (turns == null || !turns.isArray() || turns.isEmpty()) {
      throw new IllegalArgumentException("\"conversations\" must be a non-empty list of {\"from\", \"value\"}");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      JsonNode t = turns.get(i);
      String from = t.path("from").asText("").toLowerCase(Locale.ROOT);
      String role = SHAREGPT_ROLES.get(from);
      if (role == null) {
        throw new IllegalArgumentException("conversations[" + i + "].from is '" + t.path("from").asText("")
            + "'; use human, gpt or system");
      }
      if (!t.path("value").isTextual()) {
        throw new IllegalArgumentException("conversations[" + i + "] has no string \"value\"");
      }
      out.add(new ChatMessage(role, t.get("value").textValue()));
    }
    return out;
  }
}
