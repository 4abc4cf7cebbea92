package io.cream.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads from a JSON object whose errors name the file and the key, so a user can fix the
 * config by hand. A JSON null counts as absent (HF writes {@code "sliding_window": null}).
 */
final class ConfigFields {
  private final JsonNode root;
  private final String source;

  ConfigFields(JsonNode root, String source) {
    this.root = root;
    this.source = source;
  }

  boolean has(String key) {
    JsonNode n = root.get(key);
    return n != null && !n.isNull();
  }

  int requiredInt(String key) {
    if (!has(key)) {
      throw new UserError(source + ": required key '" + key + "' is missing; add it (an integer)");
    }
    return asInt(key, root.get(key));
  }

  int optionalInt(String key, int fallback) {
    return has(key) ? asInt(key, root.get(key)) : fallback;
  }

  double optionalDouble(String key, double fallback) {
    if (!has(key)) return fallback;
    JsonNode n = root.get(key);
    if (!n.isNumber()) throw wrongType(key, "a number", n);
    return n.doubleValue();
  }

  boolean optionalBoolean(String key, boolean fallback) {
    if (!has(key)) return fallback;
    JsonNode n = root.get(key);
    if (!n.isBoolean()) throw wrongType(key, "true or false", n);
    return n.booleanValue();
  }

  /** The string value, or null when absent. */
  String optionalString(String key) {
    if (!has(key)) return null;
    JsonNode n = root.get(key);
    if (!n.isTextual()) throw wrongType(key, "a string", n);
    return n.textValue();
  }

  /** An integer or a list of integers (HF allows both for eos_token_id); empty when absent. */
  List<Integer> intOrIntList(String key) {
    List<Integer> out = new ArrayList<>();
    if (!has(key)) return out;
    JsonNode n = root.get(key);
    if (n.isArray()) {
      for (JsonNode e : n) out.add(asInt(key, e));
    } else {
      out.add(asInt(key, n));
    }
    return out;
  }

  private int asInt(String key, JsonNode n) {
    if (!n.isIntegralNumber() || !n.canConvertToInt()) throw wrongType(key, "an integer", n);
    return n.intValue();
  }

  private UserError wrongType(String key, String expected, JsonNode n) {
    return new UserError(source + ": key '" + key + "' must be " + expected + " but is " + n + "; fix its value");
  }
}
