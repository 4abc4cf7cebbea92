package io.cream.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.chat.ChatMessage;
import io.cream.chat.Conversations;
import io.cream.util.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The OpenAI-compatible routes: GET /v1/models (and /v1/models/{id}), POST /v1/completions,
 * POST /v1/chat/completions (whole, or streamed as server-sent events ending in
 * {@code data: [DONE]}), and GET /health. Each request is checked, turned into a
 * {@link GenerationJob}, handed to the {@link Scheduler}, answered, and logged in one line.
 */
final class ApiHandler extends Handler.Abstract {
  /** A request body larger than this is refused (413): 64 MiB is ~16M tokens of text. */
  static final long MAX_BODY_BYTES = 64L << 20;
  /** OpenAI's default max_tokens for /v1/completions. */
  static final int COMPLETIONS_DEFAULT_MAX_TOKENS = 16;

  private final ServedModel served;
  private final Scheduler scheduler;
  private final int chatDefaultMaxTokens;
  private final PrintStream log;
  private final long created = System.currentTimeMillis() / 1000;

  /** @param chatDefaultMaxTokens a chat reply's limit when the request sets none (capped by the window) */
  ApiHandler(ServedModel served, Scheduler scheduler, int chatDefaultMaxTokens, PrintStream log) {
    this.served = served;
    this.scheduler = scheduler;
    this.chatDefaultMaxTokens = chatDefaultMaxTokens;
    this.log = log;
  }

  /** What one request came to, for its log line. */
  private static final class Outcome {
    int status = 200;
    String detail = "";
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long t0 = System.nanoTime();
    String method = request.getMethod();
    String path = Request.getPathInContext(request);
    if (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
    Outcome outcome = new Outcome();
    try {
      route(method, path, request, response, callback, outcome);
    } catch (ApiError e) {
      outcome.status = e.status();
      outcome.detail = e.type() + ": " + e.getMessage();
      if (e.status() == 429) response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
      sendJson(response, e.status(), e.toJson(), callback);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome.status = 503;
      sendJson(response, 503, new ApiError(503, "server_error", null, null, "interrupted").toJson(), callback);
    } catch (RuntimeException e) {
      outcome.status = 500;
      outcome.detail = e.toString();
      sendJson(response, 500, new ApiError(500, "server_error", null, null, "internal error: " + e).toJson(), callback);
    } finally {
      log.printf(Locale.ROOT, "cream serve: %s \"%s %s\" %d%s %.2f s%n", Request.getRemoteAddr(request), method, path,
          outcome.status, outcome.detail.isEmpty() ? "" : " " + outcome.detail, (System.nanoTime() - t0) / 1e9);
      log.flush();
    }
    return true;
  }

  private void route(String method, String path, Request request, Response response, Callback callback, Outcome outcome)
      throws InterruptedException {
    switch (path) {
      case "/v1/models" -> {
        requireMethod(method, "GET", path);
        sendJson(response, 200, OpenAiJson.modelList(served.name(), created), callback);
      }
      case "/health" -> {
        requireMethod(method, "GET", path);
        sendJson(response, 200, Json.object().put("status", "ok"), callback);
      }
      case "/v1/completions" -> {
        requireMethod(method, "POST", path);
        completions(body(request), request, response, callback, outcome);
      }
      case "/v1/chat/completions" -> {
        requireMethod(method, "POST", path);
        chat(body(request), request, response, callback, outcome);
      }
      default -> {
        if (path.startsWith("/v1/models/")) {
          requireMethod(method, "GET", path);
          String id = path.substring("/v1/models/".length());
          if (!id.equals(served.name())) throw unknownModel(id);
          sendJson(response, 200, OpenAiJson.model(served.name(), created), callback);
          return;
        }
        throw new ApiError(404, "invalid_request_error", null, "unknown_url", "Unknown request URL: " + method + " " + path
            + " (this server has GET /v1/models, POST /v1/completions and POST /v1/chat/completions)");
      }
    }
  }

  private static void requireMethod(String method, String expected, String path) {
    if (!method.equals(expected)) {
      throw new ApiError(405, "invalid_request_error", null, "method_not_allowed",
          path + " takes " + expected + ", not " + method);
    }
  }

  private ApiError unknownModel(String name) {
    return new ApiError(404, "invalid_request_error", "model", "model_not_found",
        "The model `" + name + "` does not exist; this server serves `" + served.name() + "`");
  }

  /** The request's JSON object, or 400/413. */
  private JsonNode body(Request request) {
    if (request.getLength() > MAX_BODY_BYTES) {
      throw new ApiError(413, "invalid_request_error", null, "request_too_large",
          "the request body is larger than " + (MAX_BODY_BYTES >> 20) + " MiB");
    }
    String text;
    try {
      text = Content.Source.asString(request, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw ApiError.invalid(null, "could not read the request body: " + e.getMessage());
    }
    JsonNode body;
    try {
      body = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      String why = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
      throw ApiError.invalid(null, "We could not parse the JSON body of your request: " + why);
    }
    if (body == null || !body.isObject()) throw ApiError.invalid(null, "the request body must be a JSON object");
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) throw ApiError.invalid("model", "you must provide a model parameter");
    if (!model.isTextual()) throw ApiError.invalid("model", "'model' must be a string");
    if (!model.textValue().equals(served.name())) throw unknownModel(model.textValue());
    return body;
  }

  private void completions(JsonNode body, Request request, Response response, Callback callback, Outcome outcome)
      throws InterruptedException {
    UnsupportedFields.refuse(body, false);
    SamplingParams params = SamplingParams.parse(body, "max_tokens");
    int[] prompt = served.completionPrompt(body.get("prompt"));
    int maxTokens = params.maxTokens() != null ? params.maxTokens() : COMPLETIONS_DEFAULT_MAX_TOKENS;
    served.requireFits(prompt.length, maxTokens, "prompt");
    String echo = SamplingParams.flag(body, "echo") ? promptText(body.get("prompt"), prompt) : "";
    OpenAiJson.Head head = new OpenAiJson.Head("cmpl-" + randomId(), "text_completion", now(), served.name());
    GenerationJob job = start(request, prompt, params.withMaxTokens(maxTokens));
    if (params.stream()) {
      stream(job, params, head, response, callback, outcome, new Choices() {
        @Override
        public ObjectNode first() {
          return echo.isEmpty() ? null : OpenAiJson.textChoice(echo, null);
        }

        @Override
        public ObjectNode piece(String text) {
          return OpenAiJson.textChoice(text, null);
        }

        @Override
        public ObjectNode last(String finishReason) {
          return OpenAiJson.textChoice("", finishReason);
        }
      });
      return;
    }
    Collected r = collect(job, outcome);
    sendJson(response, 200, OpenAiJson.withChoice(head, OpenAiJson.textChoice(echo + r.text(), r.done().finishReason()),
        OpenAiJson.usage(r.done().promptTokens(), r.done().completionTokens()), false), callback);
  }

  private void chat(JsonNode body, Request request, Response response, Callback callback, Outcome outcome)
      throws InterruptedException {
    UnsupportedFields.refuse(body, true);
    SamplingParams params = SamplingParams.parse(body, "max_completion_tokens");
    JsonNode messagesJson = body.get("messages");
    if (messagesJson == null || messagesJson.isNull()) throw ApiError.invalid("messages", "'messages' is required");
    List<ChatMessage> messages;
    try {
      messages = Conversations.openAi(messagesJson);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("messages", e.getMessage());
    }
    int[] prompt = served.chatPrompt(messages);
    // Without max_tokens a reply may run to the window, but its KV cache is sized for the whole
    // window up front: --default-max-tokens keeps that sane for long-window models.
    int maxTokens = params.maxTokens() != null ? params.maxTokens()
        : Math.max(1, Math.min(chatDefaultMaxTokens, served.window() - prompt.length));
    served.requireFits(prompt.length, maxTokens, "messages");
    OpenAiJson.Head head = new OpenAiJson.Head("chatcmpl-" + randomId(), "chat.completion.chunk", now(), served.name());
    GenerationJob job = start(request, prompt, params.withMaxTokens(maxTokens));
    if (params.stream()) {
      stream(job, params, head, response, callback, outcome, new Choices() {
        @Override
        public ObjectNode first() {
          return OpenAiJson.deltaChoice("assistant", "", null);
        }

        @Override
        public ObjectNode piece(String text) {
          return OpenAiJson.deltaChoice(null, text, null);
        }

        @Override
        public ObjectNode last(String finishReason) {
          return OpenAiJson.deltaChoice(null, null, finishReason);
        }
      });
      return;
    }
    Collected r = collect(job, outcome);
    OpenAiJson.Head whole = new OpenAiJson.Head(head.id(), "chat.completion", head.created(), head.model());
    sendJson(response, 200, OpenAiJson.withChoice(whole, OpenAiJson.messageChoice(r.text(), r.done().finishReason()),
        OpenAiJson.usage(r.done().promptTokens(), r.done().completionTokens()), false), callback);
  }

  /** The prompt as text, for echo: the string sent, or the ids decoded. */
  private String promptText(JsonNode prompt, int[] ids) {
    if (prompt.isTextual()) return prompt.textValue();
    if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) return prompt.get(0).textValue();
    return served.tokenizer().decode(ids, true);
  }

  private GenerationJob start(Request request, int[] prompt, SamplingParams params) {
    GenerationJob job = new GenerationJob(served, prompt, params);
    scheduler.submit(job);
    request.addFailureListener(failure -> job.cancel()); // the client went away
    return job;
  }

  private record Collected(String text, GenerationJob.Done done) {}

  private Collected collect(GenerationJob job, Outcome outcome) throws InterruptedException {
    StringBuilder text = new StringBuilder();
    while (true) {
      switch (next(job)) {
        case GenerationJob.Piece p -> text.append(p.text());
        case GenerationJob.Done d -> {
          outcome.detail = summary(d, job, false);
          return new Collected(text.toString(), d);
        }
        case GenerationJob.Failed f -> throw f.error();
      }
    }
  }

  /** The choices of one stream's chunks, by endpoint. */
  private interface Choices {
    /** The choice before any text (chat: the role; completions: the echoed prompt), or null. */
    ObjectNode first();

    ObjectNode piece(String text);

    ObjectNode last(String finishReason);
  }

  /**
   * Streams a job as server-sent events. The status is sent with the first event, so a job that
   * fails before producing anything (e.g. no memory for its cache) still gets an error status; a
   * failure after that is sent as a {"error": ...} event, which the SDKs raise.
   */
  private void stream(GenerationJob job, SamplingParams params, OpenAiJson.Head head, Response response,
      Callback callback, Outcome outcome, Choices choices) throws InterruptedException {
    GenerationJob.Event event = next(job);
    if (event instanceof GenerationJob.Failed f) throw f.error();
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    try {
      ObjectNode first = choices.first();
      if (first != null) send(response, OpenAiJson.withChoice(head, first, null, params.includeUsage()));
      while (true) {
        switch (event) {
          case GenerationJob.Piece p ->
              send(response, OpenAiJson.withChoice(head, choices.piece(p.text()), null, params.includeUsage()));
          case GenerationJob.Done d -> {
            send(response, OpenAiJson.withChoice(head, choices.last(d.finishReason()), null, params.includeUsage()));
            if (params.includeUsage()) send(response, OpenAiJson.usageChunk(head, d.promptTokens(), d.completionTokens()));
            outcome.detail = summary(d, job, true);
            Content.Sink.write(response, true, ByteBuffer.wrap("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)));
            callback.succeeded();
            return;
          }
          case GenerationJob.Failed f -> {
            outcome.detail = "stream failed: " + f.error().getMessage();
            send(response, f.error().toJson());
            Content.Sink.write(response, true, ByteBuffer.wrap("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8)));
            callback.succeeded();
            return;
          }
        }
        event = next(job);
      }
    } catch (IOException e) {
      job.cancel(); // the client closed the stream: stop generating for it
      outcome.detail = "stream closed by the client";
      callback.failed(e);
    }
  }

  private static void send(Response response, ObjectNode chunk) throws IOException {
    byte[] bytes = ("data: " + Json.compact(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8);
    Content.Sink.write(response, false, ByteBuffer.wrap(bytes));
  }

  private GenerationJob.Event next(GenerationJob job) throws InterruptedException {
    while (true) {
      GenerationJob.Event e = job.poll(1, TimeUnit.SECONDS);
      if (e != null) return e;
      if (!scheduler.alive()) {
        return new GenerationJob.Failed(new ApiError(503, "server_error", null, "server_shutting_down",
            "the server is shutting down"));
      }
    }
  }

  private static String summary(GenerationJob.Done d, GenerationJob job, boolean streamed) {
    return String.format(Locale.ROOT, "%s%d prompt + %d completion tokens (%s), queued %.2f s,",
        streamed ? "stream, " : "", d.promptTokens(), d.completionTokens(), d.finishReason(), job.queuedSeconds());
  }

  private static void sendJson(Response response, int status, ObjectNode body, Callback callback) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    Content.Sink.write(response, true, Json.compact(body), callback);
  }

  private static long now() {
    return System.currentTimeMillis() / 1000;
  }

  private static String randomId() {
    byte[] b = new byte[12];
    ThreadLocalRandom.current().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
