package io.cream.serve;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;

/** The response bodies of OpenAI's API, as its SDKs parse them. */
final class OpenAiJson {
  private OpenAiJson() {}

  /** Fields every response of one request shares. */
  record Head(String id, String object, long created, String model) {
    ObjectNode start() {
      ObjectNode o = Json.object();
      o.put("id", id);
      o.put("object", object);
      o.put("created", created);
      o.put("model", model);
      return o;
    }
  }

  static ObjectNode usage(int promptTokens, int completionTokens) {
    ObjectNode u = Json.object();
    u.put("prompt_tokens", promptTokens);
    u.put("completion_tokens", completionTokens);
    u.put("total_tokens", promptTokens + completionTokens);
    return u;
  }

  /** A /v1/completions choice (or streamed chunk choice): text, index 0, finish_reason or null. */
  static ObjectNode textChoice(String text, String finishReason) {
    ObjectNode c = Json.object();
    c.put("text", text);
    c.put("index", 0);
    c.putNull("logprobs");
    if (finishReason == null) c.putNull("finish_reason"); else c.put("finish_reason", finishReason);
    return c;
  }

  /** A chat choice: the whole assistant message. */
  static ObjectNode messageChoice(String content, String finishReason) {
    ObjectNode c = Json.object();
    c.put("index", 0);
    ObjectNode m = c.putObject("message");
    m.put("role", "assistant");
    m.put("content", content);
    c.putNull("logprobs");
    c.put("finish_reason", finishReason);
    return c;
  }

  /** A streamed chat choice: a delta (role and/or content, or nothing at the end). */
  static ObjectNode deltaChoice(String role, String content, String finishReason) {
    ObjectNode c = Json.object();
    c.put("index", 0);
    ObjectNode d = c.putObject("delta");
    if (role != null) d.put("role", role);
    if (content != null) d.put("content", content);
    c.putNull("logprobs");
    if (finishReason == null) c.putNull("finish_reason"); else c.put("finish_reason", finishReason);
    return c;
  }

  /** A response or chunk with one choice, and usage (null: omitted; NullNode: "usage": null). */
  static ObjectNode withChoice(Head head, ObjectNode choice, ObjectNode usage, boolean usageField) {
    ObjectNode o = head.start();
    o.putArray("choices").add(choice);
    if (usage != null) o.set("usage", usage);
    else if (usageField) o.putNull("usage");
    return o;
  }

  /** The last chunk of a stream with stream_options.include_usage: no choices, the usage. */
  static ObjectNode usageChunk(Head head, int promptTokens, int completionTokens) {
    ObjectNode o = head.start();
    o.putArray("choices");
    o.set("usage", usage(promptTokens, completionTokens));
    return o;
  }

  static ObjectNode model(String name, long created) {
    ObjectNode m = Json.object();
    m.put("id", name);
    m.put("object", "model");
    m.put("created", created);
    m.put("owned_by", "cream");
    return m;
  }

  static ObjectNode modelList(String name, long created) {
    ObjectNode o = Json.object();
    o.put("object", "list");
    ArrayNode data = o.putArray("data");
    data.add(model(name, created));
    return o;
  }
}
