package io.cream.util;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed reads of one JSON object of a config file (a model's config.json, its rope_scaling). Every
 * error is a {@link UserError} that names the file and the key the way a user finds it, e.g.
 * {@code config.json: rope_scaling.factor must be a number, got "8"}. A JSON null counts as absent,
 * as in Hugging Face's configs ({@code "sliding_window": null}).
 *
 * @param node the object read (null or JSON null: every key absent)
 * @param where message prefix naming the file, e.g. "config.json: "
 * @param path prefix of this object's keys, e.g. "rope_scaling." (empty at the top level)
 */
public record ConfigFields(JsonNode node, String where, String path) {

  /** The top-level object of the file {@code source}. */
  public static ConfigFields of(JsonNode node, String source) {
    return new ConfigFields(node, source + ": ", "");
  }

  public boolean has(String key) {
    return node != null && node.hasNonNull(key);
  }

  /** The key as a user finds it in the file, e.g. "rope_scaling.factor". */
  public String name(String key) {
    return path + key;
  }

  public OptionalDouble number(String key) {
    if (!has(key)) return OptionalDouble.empty();
    JsonNode v = node.get(key);
    if (!v.isNumber()) throw wrongType(key, "a number", v);
    return OptionalDouble.of(v.asDouble());
  }

  /** A whole number that fits an int (4096.0 counts as 4096). */
  public OptionalInt integer(String key) {
    return has(key) ? OptionalInt.of(whole(name(key), node.get(key))) : OptionalInt.empty();
  }

  public Optional<String> text(String key) {
    if (!has(key)) return Optional.empty();
    JsonNode v = node.get(key);
    if (!v.isTextual()) throw wrongType(key, "a string", v);
    return Optional.of(v.asText());
  }

  public Optional<Boolean> flag(String key) {
    if (!has(key)) return Optional.empty();
    JsonNode v = node.get(key);
    if (!v.isBoolean()) throw wrongType(key, "true or false", v);
    return Optional.of(v.booleanValue());
  }

  public Optional<double[]> numbers(String key) {
    if (!has(key)) return Optional.empty();
    JsonNode v = node.get(key);
    if (!v.isArray()) throw wrongType(key, "a list of numbers", v);
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isNumber()) throw new UserError(where + name(key) + "[" + i + "] must be a number, got " + v.get(i));
      out[i] = v.get(i).asDouble();
    }
    return Optional.of(out);
  }

  /** One whole number or a list of them (HF allows both for eos_token_id); empty when absent. */
  public List<Integer> integers(String key) {
    List<Integer> out = new ArrayList<>();
    if (!has(key)) return out;
    JsonNode v = node.get(key);
    if (!v.isArray()) {
      out.add(whole(name(key), v));
      return out;
    }
    for (int i = 0; i < v.size(); i++) out.add(whole(name(key) + "[" + i + "]", v.get(i)));
    return out;
  }

  /** A required key that is absent: "{where}{path}{key} is missing{why}; {fix}". */
  public UserError missing(String key, String why, String fix) {
    return new UserError(where + name(key) + " is missing" + why + "; " + fix);
  }

  private int whole(String name, JsonNode v) {
    double d = v.asDouble();
    if (!v.isNumber() || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE)
      throw new UserError(where + name + " must be a whole number, got " + v);
    return (int) d;
  }

  private UserError wrongType(String key, String expected, JsonNode v) {
    return new UserError(where + name(key) + " must be " + expected + ", got " + v);
  }
}
