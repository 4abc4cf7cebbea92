package io.cream.serve;

import static io.cream.serve.ServeApiTest.completion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.model.LlamaConfig;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.testutil.ChatModels;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `cream serve`'s queue: 429 when it is full, and a stream closed by its client stops generating. */
class ServeQueueTest {
  @TempDir static Path tmp;
  static TestServer s;

  @BeforeAll
  static void start() throws Exception {
    LlamaConfig c = LlamaConfig.read(ChatModels.BASE.resolve("config.json"));
    RopeSpec x8 = RopeSpec.of(RopeType.LINEAR, c.headDim(), c.ropeTheta(), 8, c.maxPositionEmbeddings());
    s = new TestServer(tmp.resolve("model"), x8).start(1, 1);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  /**
   * With --parallel 1 --queue 1: one request generates, one waits, the next is refused with 429;
   * a client that closes its stream frees its slot at once (its generation stops). The model runs
   * with linear RoPE × 8 (a 2,048-token window) so that the long stream (2,000 tokens, several
   * seconds) is still generating when its client closes it, however fast the machine.
   */
  @Test
  void aFullQueueAnswers429AndAClosedStreamFreesItsSlot() throws Exception {
    HttpRequest longStream = HttpRequest.newBuilder(s.uri("/v1/completions")).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(completion(", \"max_tokens\": 2000, \"stream\": true"))).build();
    HttpResponse<InputStream> a = s.http.send(longStream, HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader reader = new BufferedReader(new InputStreamReader(a.body(), StandardCharsets.UTF_8));
    assertTrue(reader.readLine().startsWith("data: "), "the long stream is generating");
    CompletableFuture<HttpResponse<String>> b = s.http.sendAsync(
        HttpRequest.newBuilder(s.uri("/v1/completions")).POST(HttpRequest.BodyPublishers.ofString(completion(", \"max_tokens\": 3")))
            .build(), HttpResponse.BodyHandlers.ofString());
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (s.server.load()[1] < 1 && System.nanoTime() < deadline) Thread.sleep(5);
    assertEquals(1, s.server.load()[1], "the second request waits");
    HttpResponse<String> c = s.post("/v1/completions", completion(", \"max_tokens\": 3"));
    assertEquals(429, c.statusCode(), c.body());
    assertEquals("queue_full", TestServer.json(c).get("error").get("code").asText());
    assertEquals("1", c.headers().firstValue("Retry-After").orElse(""));
    reader.close(); // the client goes away mid-stream
    HttpResponse<String> bDone = b.get();
    assertEquals(200, bDone.statusCode(), bDone.body());
    assertEquals(3, TestServer.json(bDone).get("usage").get("completion_tokens").asInt());
    deadline = System.nanoTime() + 20_000_000_000L;
    while (!s.log().contains("stream closed by the client") && System.nanoTime() < deadline) Thread.sleep(5);
    assertTrue(s.log().contains("stream closed by the client"), s.log());
  }
}
