package io.cream.chat;

import java.util.LinkedHashMap;
import java.util.Map;

/** One turn of a conversation: its role (system, user, assistant, ...) and its text. */
public record ChatMessage(String role, String content) {
  public ChatMessage {
    if (role == null || content == null) throw new IllegalArgumentException("a message needs a role and a content");
  }

  public static ChatMessage system(String content) {
    return new ChatMessage("system", content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage("user", content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage("assistant", content);
  }

  public boolean isAssistant() {
    return role.equals("assistant");
  }

  /** The message as a template sees it: a dict with "role" and "content". */
  Map<String, Object> asTemplateValue() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }
}
