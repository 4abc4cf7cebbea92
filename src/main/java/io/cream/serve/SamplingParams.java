package io.cream.serve;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.model.Sampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The generation fields both endpoints share, checked as OpenAI documents them: max_tokens (null:
 * the endpoint's default), temperature in [0, 2] (default 1; 0 is greedy), top_p in (0, 1]
 * (default 1), seed (same seed, same request → same text), stop (a string or up to 4), stream and
 * stream_options.include_usage.
 */
record SamplingParams(Integer maxTokens, double temperature, double topP, Long seed, List<String> stop,
    boolean stream, boolean includeUsage) {

  static SamplingParams parse(JsonNode body, String maxTokensField) {
    Integer maxTokens = null;
    for (String field : new String[] {maxTokensField, "max_tokens"}) {
      JsonNode v = body.get(field);
      if (v == null || v.isNull()) continue;
      if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 1) {
        throw ApiError.invalid(field, "'" + field + "' must be an integer ≥ 1, got " + v);
      }
      maxTokens = v.intValue();
      break;
    }
    double temperature = number(body, "temperature", 1, 0, 2);
    double topP = number(body, "top_p", 1, 0, 1);
    if (topP == 0) throw ApiError.invalid("top_p", "'top_p' must be in (0, 1], got 0");
    JsonNode s = body.get("seed");
    Long seed = null;
    if (s != null && !s.isNull()) {
      if (!s.isIntegralNumber() || !s.canConvertToLong()) throw ApiError.invalid("seed", "'seed' must be an integer, got " + s);
      seed = s.longValue();
    }
    boolean stream = flag(body, "stream");
    JsonNode options = body.get("stream_options");
    boolean includeUsage = false;
    if (options != null && !options.isNull()) {
      if (!stream) throw ApiError.invalid("stream_options", "'stream_options' is only allowed with 'stream': true");
      includeUsage = options.path("include_usage").asBoolean(false);
    }
    return new SamplingParams(maxTokens, temperature, topP, seed, stops(body.get("stop")), stream, includeUsage);
  }

  /** The sampler: greedy at temperature 0, else nucleus sampling seeded by seed (or at random). */
  Sampler sampler() {
    if (temperature == 0) return Sampler.greedy();
    return new Sampler(temperature, topP, seed != null ? new SplittableRandom(seed) : new SplittableRandom());
  }

  SamplingParams withMaxTokens(int n) {
    return new SamplingParams(n, temperature, topP, seed, stop, stream, includeUsage);
  }

  private static double number(JsonNode body, String field, double fallback, double min, double max) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return fallback;
    if (!v.isNumber() || v.doubleValue() < min || v.doubleValue() > max) {
      throw ApiError.invalid(field, "'" + field + "' must be a number in [" + fmt(min) + ", " + fmt(max) + "], got " + v);
    }
    return v.doubleValue();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static boolean flag(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return false;
    if (!v.isBoolean()) throw ApiError.invalid(field, "'" + field + "' must be true or false, got " + v);
    return v.booleanValue();
  }

  private static List<String> stops(JsonNode v) {
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) return out;
    if (v.isTextual()) {
      out.add(v.textValue());
    } else if (v.isArray() && v.size() <= 4) {
      for (JsonNode s : v) {
        if (!s.isTextual()) throw ApiError.invalid("stop", "'stop' must be a string or a list of up to 4 strings");
        out.add(s.textValue());
      }
    } else {
      throw ApiError.invalid("stop", "'stop' must be a string or a list of up to 4 strings");
    }
    if (out.stream().anyMatch(String::isEmpty)) throw ApiError.invalid("stop", "'stop' strings must not be empty");
    return List.copyOf(out);
  }
}
