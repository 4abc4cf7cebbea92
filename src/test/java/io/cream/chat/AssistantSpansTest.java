package io.cream.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Assistant spans of real templates: each span is the reply plus the template's end-of-turn marks
 * (what the model must learn to emit), and never the user's text or the assistant header.
 */
class AssistantSpansTest {
  static final List<ChatMessage> CHAT = List.of(
      ChatMessage.system("You are a helpful assistant"), ChatMessage.user("Hello"), ChatMessage.assistant("Hi there"),
      ChatMessage.user("Who are you"), ChatMessage.assistant("   I am an assistant   "));

  static HfChatTemplate template(String name) throws IOException {
    try (InputStream in = AssistantSpansTest.class.getResourceAsStream("/chat/templates.json")) {
      for (JsonNode c : Json.MAPPER.readTree(in)) {
        if (c.get("template").textValue().equals(name)) {
          return new HfChatTemplate(c.get("source").textValue(),
              Map.of("bos_token", c.get("bos_token").textValue(), "eos_token", c.get("eos_token").textValue()));
        }
      }
    }
    throw new IllegalArgumentException(name);
  }

  static List<String> spanTexts(AssistantSpans.Rendered r) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.spans().length; i += 2) out.add(r.text().substring(r.spans()[i], r.spans()[i + 1]));
    return out;
  }

  @Test
  void spansAreRepliesWithTheirEndOfTurnMarks() throws IOException {
    assertEquals(List.of(" Hi there </s>", " I am an assistant </s>"),
        spanTexts(AssistantSpans.render(template("llama-2-chat"), CHAT)));
    assertEquals(List.of("Hi there<|im_end|>\n", "   I am an assistant   <|im_end|>\n"),
        spanTexts(AssistantSpans.render(template("chatml"), CHAT)));
    assertEquals(List.of("Hi there</s>\n", "   I am an assistant   </s>\n"),
        spanTexts(AssistantSpans.render(template("zephyr"), CHAT)));
    assertEquals(List.of(" Hi there</s>\n", "    I am an assistant   </s>\n"),
        spanTexts(AssistantSpans.render(template("vicuna"), CHAT)));
    assertEquals(List.of("Hi there<|eot_id|>", "I am an assistant<|eot_id|>"),
        spanTexts(AssistantSpans.render(template("llama-3-instruct"), CHAT)));
    assertEquals(List.of("Hi there<end_of_turn>\n", "I am an assistant<end_of_turn>\n"),
        spanTexts(AssistantSpans.render(template("gemma-it"), CHAT.subList(1, CHAT.size()))));
  }

  @Test
  void theRenderingIsTheTemplatesOwn() throws IOException {
    HfChatTemplate t = template("llama-2-chat");
    assertEquals(t.render(CHAT, false), AssistantSpans.render(t, CHAT).text());
  }

  /**
   * A template that appends its generation prompt unconditionally (an early Llama-3 release did)
   * breaks the prefix rule: the reply is found as text, with the EOS token when it follows.
   */
  @Test
  void aTemplateThatAlwaysAppendsTheAssistantHeaderFallsBackToTheReplyText() {
    HfChatTemplate t = new HfChatTemplate("{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}{% endfor %}"
        + "<assistant>", Map.of("eos_token", "</s>"));
    AssistantSpans.Rendered r = AssistantSpans.render(t, CHAT);
    assertEquals(List.of("Hi there</s>", "   I am an assistant   </s>"), spanTexts(r));
  }

  @Test
  void refusedConversationsSayWhy() throws IOException {
    HfChatTemplate t = template("llama-2-chat");
    ChatTemplateException e = assertThrows(ChatTemplateException.class,
        () -> AssistantSpans.render(t, List.of(ChatMessage.user("a"), ChatMessage.user("b"), ChatMessage.assistant("c"))));
    assertEquals("the chat template refused the conversation: Conversation roles must alternate user/assistant/user/assistant/...",
        e.getMessage());
  }
}
