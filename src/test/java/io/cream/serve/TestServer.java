package io.cream.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.testutil.ChatModels;
import io.cream.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A `cream serve` of the 4M chat model on a free loopback port, and a plain HTTP client for it. */
final class TestServer implements AutoCloseable {
  static final String NAME = "cream-4m-chat";

  final CpuBackend backend = new CpuBackend();
  final ServedModel model;
  final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  OpenAiServer server;

  /** Loads the model (a Vicuna-templated copy made in dir); {@link #start} serves it. */
  TestServer(Path dir) throws IOException {
    this(dir, null);
  }

  /** The same with a RoPE override (e.g. linear × 8: a window of 2,048 tokens). */
  TestServer(Path dir, io.cream.rope.RopeSpec rope) throws IOException {
    this.model = ServedModel.load(ChatModels.vicuna4m(dir), backend, rope, NAME, null);
  }

  TestServer start(int parallel, int queue) throws Exception {
    server = OpenAiServer.start(model, "127.0.0.1", 0, parallel, queue, 1024, 30_000,
        new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    return this;
  }

  String log() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return Json.MAPPER.readTree(r.body());
  }

  @Override
  public void close() {
    if (server != null) server.close();
    model.close();
    backend.close();
  }
}
