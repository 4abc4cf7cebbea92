package io.cream.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * OpenAI fields that would change the answer but cream does not implement: a request that sets
 * one to anything but its neutral value is refused (400), never silently answered differently.
 * Fields that change nothing here (user, metadata, store, service_tier, ...) and unknown fields
 * are ignored, as OpenAI-compatible servers do.
 */
final class UnsupportedFields {
  private UnsupportedFields() {}

  static void refuse(JsonNode body, boolean chat) {
    requireAtMost(body, "n", 1, "only one choice per request is supported ('n' must be 1)");
    requireAtMost(body, "best_of", 1, "'best_of' is not supported (must be 1)");
    requireZero(body, "presence_penalty");
    requireZero(body, "frequency_penalty");
    requireEmpty(body, "logit_bias");
    requireUnset(body, "top_logprobs", "'top_logprobs' is not supported");
    JsonNode logprobs = body.get("logprobs");
    if (logprobs != null && !logprobs.isNull() && !(logprobs.isBoolean() && !logprobs.booleanValue())) {
      throw ApiError.unsupported("logprobs", "'logprobs' is not supported");
    }
    if (chat) {
      requireEmpty(body, "tools");
      requireEmpty(body, "functions");
      JsonNode choice = body.get("tool_choice");
      if (choice != null && !choice.isNull() && !"none".equals(choice.asText())) {
        throw ApiError.unsupported("tool_choice", "tool calls are not supported");
      }
      JsonNode format = body.get("response_format");
      if (format != null && !format.isNull() && !"text".equals(format.path("type").asText())) {
        throw ApiError.unsupported("response_format", "only the 'text' response_format is supported");
      }
    } else {
      JsonNode suffix = body.get("suffix");
      if (suffix != null && !suffix.isNull() && !suffix.asText().isEmpty()) {
        throw ApiError.unsupported("suffix", "'suffix' is not supported");
      }
    }
  }

  private static void requireAtMost(JsonNode body, String field, int max, String message) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return;
    if (!v.isIntegralNumber() || v.intValue() < 1) throw ApiError.invalid(field, "'" + field + "' must be an integer ≥ 1");
    if (v.intValue() > max) throw ApiError.unsupported(field, message);
  }

  private static void requireZero(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return;
    if (!v.isNumber() || v.doubleValue() != 0) throw ApiError.unsupported(field, "'" + field + "' is not supported (must be 0)");
  }

  private static void requireEmpty(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v != null && !v.isNull() && !v.isEmpty()) throw ApiError.unsupported(field, "'" + field + "' is not supported");
  }

  private static void requireUnset(JsonNode body, String field, String message) {
    JsonNode v = body.get(field);
    if (v != null && !v.isNull()) throw ApiError.unsupported(field, message);
  }
}
