package io.cream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.chat.ChatMessage;
import io.cream.testutil.ChatModels;
import io.cream.util.Json;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServeShutdownTest {
  @TempDir Path tmp;

  /** Closing the server lets the request in flight finish, then refuses connections. */
  @Test
  void closeFinishesTheRequestInFlightThenStops() throws Exception {
    try (TestServer s = new TestServer(tmp.resolve("model")).start(1, 2)) {
      CompletableFuture<HttpResponse<String>> inFlight = s.http.sendAsync(HttpRequest.newBuilder(s.uri("/v1/completions"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"" + TestServer.NAME + "\", \"prompt\": \"The sea\","
              + " \"max_tokens\": 60, \"temperature\": 0, \"stream\": true}")).build(), HttpResponse.BodyHandlers.ofString());
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (s.server.load()[0] < 1 && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(1, s.server.load()[0], "the request is generating");
      java.net.URI models = s.uri("/v1/models");
      s.server.close();
      HttpResponse<String> r = inFlight.get();
      assertEquals(200, r.statusCode());
      List<String> data = ServeApiTest.events(r);
      assertEquals("[DONE]", data.getLast());
      JsonNode last = Json.MAPPER.readTree(data.get(data.size() - 2)).get("choices").get(0);
      assertEquals("length", last.get("finish_reason").asText(), "it ran to its max_tokens");
      assertThrows(IOException.class, () -> s.http.send(HttpRequest.newBuilder(models).build(),
          HttpResponse.BodyHandlers.ofString()), "no new connections after close");
      assertTrue(s.log().contains("cream serve: shutting down: 1 request(s) generating"), s.log());
      assertTrue(s.log().contains("cream serve: stopped"), s.log());
    }
  }

  @Test
  void aModelWithoutChatTemplateRefusesChatWithAHint() {
    try (CpuBackend b = new CpuBackend(); ServedModel m = ServedModel.load(ChatModels.BASE, b, null, "base", null)) {
      ApiError e = assertThrows(ApiError.class, () -> m.chatPrompt(List.of(ChatMessage.user("hi"))));
      assertEquals(400, e.status());
      assertTrue(e.getMessage().contains("has no chat template") && e.getMessage().contains("--chat-template FILE"),
          e.getMessage());
      assertEquals(256, m.window(), "config.json's max_position_embeddings");
    }
  }
}
