package io.cream.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real models' chat templates rendered by cream against the strings Jinja2 gives when set up as
 * Hugging Face sets it up (resources/chat/templates.json, written by render_reference.py there).
 */
class HfChatTemplateTest {

  static Stream<Arguments> cases() throws IOException {
    try (InputStream in = HfChatTemplateTest.class.getResourceAsStream("/chat/templates.json")) {
      JsonNode all = Json.MAPPER.readTree(in);
      List<Arguments> out = new ArrayList<>();
      all.forEach(c -> out.add(Arguments.of(c.get("template").textValue() + " / " + c.get("case").textValue(), c)));
      return out.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void rendersAsHuggingFace(String name, JsonNode c) {
    HfChatTemplate t = new HfChatTemplate(c.get("source").textValue(),
        Map.of("bos_token", c.get("bos_token").textValue(), "eos_token", c.get("eos_token").textValue()));
    List<ChatMessage> messages = new ArrayList<>();
    for (JsonNode m : c.get("messages")) messages.add(new ChatMessage(m.get("role").textValue(), m.get("content").textValue()));
    boolean gen = c.get("add_generation_prompt").booleanValue();
    Map<String, Object> extra = c.has("tools")
        ? Map.of("tools", Json.MAPPER.convertValue(c.get("tools"), List.class)) : Map.of();
    String what = name;
    if (c.has("raises")) {
      ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(messages, gen, extra), what);
      assertTrue(e.getMessage().contains(c.get("raises").textValue()), what + ": " + e.getMessage());
    } else {
      assertEquals(c.get("expected").textValue(), t.render(messages, gen, extra), what);
    }
  }

  @Test
  void pythonStringMethodsWork() {
    HfChatTemplate t = new HfChatTemplate(
        "{% for m in messages %}{{ m.role.upper() }}:{{ m.content.lstrip() }}|{{ m.content.rstrip('x ') }}"
            + "|{{ m.content.startswith('  a') }}|{{ m.content.split() | length }}|{{ m.role.capitalize() }}"
            + "{% endfor %}",
        Map.of());
    assertEquals("USER:ab cx |  ab c|true|2|User", t.render(List.of(ChatMessage.user("  ab cx ")), false));
  }

  @Test
  void loopControlsAndGenerationBlocksRender() {
    HfChatTemplate t = new HfChatTemplate(
        "{% for m in messages %}{% if m.role == 'system' %}{% continue %}{% endif %}"
            + "{% if m.role == 'assistant' %}{% generation %}[{{ m.content }}]{% endgeneration %}"
            + "{% else %}{{ m.content }}{% endif %}{% endfor %}",
        Map.of());
    assertEquals("hi[yo]", t.render(List.of(ChatMessage.system("s"), ChatMessage.user("hi"), ChatMessage.assistant("yo")), false));
  }

  @Test
  void aBrokenTemplateNamesItsLine() {
    HfChatTemplate t = new HfChatTemplate("line one\n{{ messages[0].content.nosuchmethod() }}", Map.of());
    ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> t.render(List.of(ChatMessage.user("x")), false));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }
}
