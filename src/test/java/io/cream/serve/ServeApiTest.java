package io.cream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.model.Generator;
import io.cream.model.InferenceSession;
import io.cream.model.Sampler;
import io.cream.util.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `cream serve` over real HTTP on loopback: the OpenAI shapes, greedy output equal to the
 * generator's, streaming, stop strings, seeds, the queue, and every kind of bad request answered
 * with a 4xx in OpenAI's error shape.
 */
class ServeApiTest {
  @TempDir static Path tmp;
  static TestServer s;
  static String greedy; // the model's greedy 12-token continuation of PROMPT, by the generator itself
  static final String PROMPT = "Once upon a time";

  @BeforeAll
  static void start() throws Exception {
    s = new TestServer(tmp.resolve("model"));
    int[] ids = s.model.tokenizer().encode(PROMPT);
    try (InferenceSession session = new InferenceSession(s.model.model(), ids.length + 12)) {
      int[] out = Generator.generate(session, ids, 12, Sampler.greedy(), s.model.tokenizer().eosId(), null);
      TextStream t = new TextStream(s.model.tokenizer(), ids, List.of());
      StringBuilder b = new StringBuilder();
      for (int id : out) b.append(t.add(id));
      greedy = b.append(t.finish()).toString();
    }
    s.start(1, 1);
  }

  @AfterAll
  static void stop() {
    s.close();
  }

  static String completion(String extra) {
    return "{\"model\": \"" + TestServer.NAME + "\", \"prompt\": \"" + PROMPT + "\", \"temperature\": 0" + extra + "}";
  }

  @Test
  void listsTheModel() throws Exception {
    JsonNode list = TestServer.json(s.get("/v1/models"));
    assertEquals("list", list.get("object").asText());
    assertEquals(TestServer.NAME, list.get("data").get(0).get("id").asText());
    assertEquals(200, s.get("/v1/models/" + TestServer.NAME).statusCode());
    assertEquals(404, s.get("/v1/models/other").statusCode());
  }

  @Test
  void greedyCompletionIsTheGeneratorsAndCountsTokens() throws Exception {
    HttpResponse<String> r = s.post("/v1/completions", completion(", \"max_tokens\": 12, \"user\": \"u1\", \"foo\": [1]"));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode c = TestServer.json(r);
    assertEquals("text_completion", c.get("object").asText());
    assertTrue(c.get("id").asText().startsWith("cmpl-"));
    assertEquals(greedy, c.get("choices").get(0).get("text").asText());
    assertEquals("length", c.get("choices").get(0).get("finish_reason").asText());
    JsonNode usage = c.get("usage");
    assertEquals(s.model.tokenizer().encode(PROMPT).length, usage.get("prompt_tokens").asInt());
    assertEquals(12, usage.get("completion_tokens").asInt());
    assertEquals(usage.get("prompt_tokens").asInt() + 12, usage.get("total_tokens").asInt());
    assertTrue(s.log().contains("\"POST /v1/completions\" 200"), s.log());
  }

  @Test
  void aStopStringEndsTheTextBeforeIt() throws Exception {
    String stop = greedy.substring(greedy.length() / 2, greedy.length() / 2 + 2);
    JsonNode c = TestServer.json(s.post("/v1/completions",
        completion(", \"max_tokens\": 12, \"stop\": [\"@@@\", " + Json.compact(stop) + "]")));
    assertEquals(greedy.substring(0, greedy.indexOf(stop)), c.get("choices").get(0).get("text").asText());
    assertEquals("stop", c.get("choices").get(0).get("finish_reason").asText());
  }

  @Test
  void aSeedRepeatsASampledCompletion() throws Exception {
    String body = "{\"model\": \"" + TestServer.NAME + "\", \"prompt\": \"The river\", \"max_tokens\": 10, \"temperature\": 1.0,"
        + " \"top_p\": 0.9, \"seed\": 42}";
    String a = TestServer.json(s.post("/v1/completions", body)).get("choices").get(0).get("text").asText();
    String b = TestServer.json(s.post("/v1/completions", body)).get("choices").get(0).get("text").asText();
    assertEquals(a, b);
  }

  /** The data: lines of a server-sent event stream, up to and including [DONE]. */
  static List<String> events(HttpResponse<String> r) {
    List<String> data = new ArrayList<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data: ")) data.add(line.substring(6));
      else assertTrue(line.isEmpty(), "only data lines and blank separators: '" + line + "'");
    }
    return data;
  }

  @Test
  void aStreamedCompletionAddsUpToTheWholeOne() throws Exception {
    HttpResponse<String> r = s.post("/v1/completions", completion(", \"max_tokens\": 12, \"stream\": true,"
        + " \"stream_options\": {\"include_usage\": true}"));
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    List<String> data = events(r);
    assertEquals("[DONE]", data.getLast());
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (String d : data.subList(0, data.size() - 2)) {
      JsonNode chunk = Json.MAPPER.readTree(d);
      assertEquals("text_completion", chunk.get("object").asText());
      JsonNode choice = chunk.get("choices").get(0);
      text.append(choice.get("text").asText());
      if (!choice.get("finish_reason").isNull()) finish = choice.get("finish_reason").asText();
    }
    assertEquals(greedy, text.toString());
    assertEquals("length", finish);
    JsonNode usage = Json.MAPPER.readTree(data.get(data.size() - 2));
    assertEquals(0, usage.get("choices").size());
    assertEquals(12, usage.get("usage").get("completion_tokens").asInt());
  }

  @Test
  void chatAppliesTheTemplateWholeAndStreamed() throws Exception {
    String messages = "[{\"role\": \"system\", \"content\": \"You tell stories.\"}, {\"role\": \"user\", \"content\": \"Tell me one.\"}]";
    String body = "{\"model\": \"" + TestServer.NAME + "\", \"messages\": " + messages + ", \"max_completion_tokens\": 6,"
        + " \"temperature\": 0";
    JsonNode whole = TestServer.json(s.post("/v1/chat/completions", body + "}"));
    assertEquals("chat.completion", whole.get("object").asText());
    JsonNode message = whole.get("choices").get(0).get("message");
    assertEquals("assistant", message.get("role").asText());
    String rendered = "You tell stories.\n\nUSER: Tell me one.\nASSISTANT:"; // the Vicuna template, generation prompt on
    assertEquals(s.model.tokenizer().encodePlain(rendered).length, whole.get("usage").get("prompt_tokens").asInt());

    List<String> data = events(s.post("/v1/chat/completions", body + ", \"stream\": true}"));
    assertEquals("[DONE]", data.getLast());
    JsonNode first = Json.MAPPER.readTree(data.getFirst());
    assertEquals("chat.completion.chunk", first.get("object").asText());
    assertEquals("assistant", first.get("choices").get(0).get("delta").get("role").asText());
    StringBuilder text = new StringBuilder();
    for (String d : data.subList(0, data.size() - 1)) {
      JsonNode delta = Json.MAPPER.readTree(d).get("choices").get(0).get("delta");
      if (delta.has("content")) text.append(delta.get("content").asText());
    }
    assertEquals(message.get("content").asText(), text.toString());
    JsonNode last = Json.MAPPER.readTree(data.get(data.size() - 2)).get("choices").get(0);
    assertEquals(whole.get("choices").get(0).get("finish_reason").asText(), last.get("finish_reason").asText());
  }

  /** Each bad request: its status, the error's param (or null), and a phrase of its message. */
  @Test
  void badRequestsGetOpenAiErrors() throws Exception {
    String m = "\"model\": \"" + TestServer.NAME + "\"";
    Object[][] cases = {
        {"{\"model\": ", 400, null, "could not parse the JSON body"},
        {"[1, 2]", 400, null, "must be a JSON object"},
        {"{\"prompt\": \"a\"}", 400, "model", "you must provide a model parameter"},
        {"{\"model\": \"gpt-4\", \"prompt\": \"a\"}", 404, "model", "The model `gpt-4` does not exist"},
        {"{" + m + "}", 400, "prompt", "'prompt' is required"},
        {"{" + m + ", \"prompt\": [\"a\", \"b\"]}", 400, "prompt", "only one prompt per request"},
        {"{" + m + ", \"prompt\": \"a\", \"n\": 2}", 400, "n", "only one choice per request"},
        {"{" + m + ", \"prompt\": \"a\", \"logprobs\": 2}", 400, "logprobs", "not supported"},
        {"{" + m + ", \"prompt\": \"a\", \"presence_penalty\": 0.5}", 400, "presence_penalty", "not supported"},
        {"{" + m + ", \"prompt\": \"a\", \"temperature\": 3}", 400, "temperature", "must be a number in [0, 2]"},
        {"{" + m + ", \"prompt\": \"a\", \"max_tokens\": 0}", 400, "max_tokens", "must be an integer ≥ 1"},
        {"{" + m + ", \"prompt\": \"a\", \"stop\": [\"1\", \"2\", \"3\", \"4\", \"5\"]}", 400, "stop", "up to 4 strings"},
        {"{" + m + ", \"prompt\": \"a\", \"max_tokens\": 400}", 400, "max_tokens",
            "This model's maximum context length is 256 tokens. However, you requested 402 tokens (2 in the prompt, 400 in the completion)"},
    };
    for (Object[] c : cases) {
      HttpResponse<String> r = s.post("/v1/completions", (String) c[0]);
      String what = c[0] + " → " + r.body();
      assertEquals(c[1], r.statusCode(), what);
      JsonNode error = TestServer.json(r).get("error");
      assertEquals("invalid_request_error", error.get("type").asText(), what);
      assertEquals(c[2] == null ? "null" : c[2], error.get("param").isNull() ? "null" : error.get("param").asText(), what);
      assertTrue(error.get("message").asText().contains((String) c[3]), what);
      assertTrue(error.has("code"), what);
    }
    Object[][] chatCases = {
        {"{" + m + "}", "messages", "'messages' is required"},
        {"{" + m + ", \"messages\": [{\"content\": \"hi\"}]}", "messages", "messages[0] has no string \"role\""},
        {"{" + m + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"tools\": [{\"type\": \"function\"}]}",
            "tools", "not supported"},
        {"{" + m + ", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"max_tokens\": 300}", "max_tokens",
            "maximum context length is 256 tokens"},
    };
    for (Object[] c : chatCases) {
      HttpResponse<String> r = s.post("/v1/chat/completions", (String) c[0]);
      String what = c[0] + " → " + r.body();
      assertEquals(400, r.statusCode(), what);
      JsonNode error = TestServer.json(r).get("error");
      assertEquals(c[1], error.get("param").asText(), what);
      assertTrue(error.get("message").asText().contains((String) c[2]), what);
    }
    assertEquals(405, s.get("/v1/completions").statusCode());
    assertEquals(404, s.get("/v1/engines").statusCode());
    assertEquals("unknown_url", TestServer.json(s.get("/v1/engines")).get("error").get("code").asText());
  }
}
