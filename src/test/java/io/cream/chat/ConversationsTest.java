package io.cream.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConversationsTest {
  @Test
  void readsOpenAiAndShareGpt() throws Exception {
    List<ChatMessage> expected = List.of(ChatMessage.system("s"), ChatMessage.user("q"), ChatMessage.assistant("a"));
    assertEquals(expected, Conversations.parse(Json.MAPPER.readTree(
        "{\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"q\"}]},"
            + "{\"role\":\"assistant\",\"content\":\"a\"}]}")));
    assertEquals(expected, Conversations.parse(Json.MAPPER.readTree(
        "{\"id\":\"x1\",\"conversations\":[{\"from\":\"system\",\"value\":\"s\"},{\"from\":\"human\",\"value\":\"q\"},"
            + "{\"from\":\"gpt\",\"value\":\"a\"}]}")));
    assertTrue(Conversations.isConversation(Json.MAPPER.readTree("{\"messages\":[]}")));
    assertFalse(Conversations.isConversation(Json.MAPPER.readTree("{\"text\":\"t\"}")));
  }

  @Test
  void badShapesSayWhatIsWrong() {
    assertEquals("conversations[1].from is 'bot'; use human, gpt or system", assertThrows(IllegalArgumentException.class,
        () -> Conversations.parse(Json.MAPPER.readTree(
            "{\"conversations\":[{\"from\":\"human\",\"value\":\"q\"},{\"from\":\"bot\",\"value\":\"a\"}]}"))).getMessage());
    assertEquals("messages[0] has no string \"role\"", assertThrows(IllegalArgumentException.class,
        () -> Conversations.parse(Json.MAPPER.readTree("{\"messages\":[{\"content\":\"q\"}]}"))).getMessage());
    assertEquals("\"messages\" must be a non-empty list of {\"role\", \"content\"}", assertThrows(IllegalArgumentException.class,
        () -> Conversations.parse(Json.MAPPER.readTree("{\"messages\":\"hi\"}"))).getMessage());
  }
}
