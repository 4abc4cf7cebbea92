package io.cream.rope;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.util.UserError;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed reads of one JSON object in a config file. Every error names the file and the key the way
 * a user finds it ("config.json: rope_scaling.factor ..."). JSON null counts as absent, as in HF.
 *
 * @param node the object read (null or JSON null: every key absent)
 * @param where message prefix naming the file, e.g. "config.json: "
 * @param path prefix for keys of this object, e.g. "rope_scaling." (empty at top level)
 */
record ConfigFields(JsonNode node, String where, String path) {

  boolean has(String key) {
    return node != null && node.hasNonNull(key);
  }

  String name(String key) {
    return path + key;
  }

  OptionalDouble number(String key) {
    if (!has(key)) return OptionalDouble.empty();
    JsonNode v = node.get(key);
    if (!v.isNumber()) throw new UserError(where + name(key) + " must be a number, got " + v);
    return OptionalDouble.of(v.asDouble());
  }

  OptionalInt integer(String key) {
    if (!has(key)) return OptionalInt.empty();
    JsonNode v = node.get(key);
    double d = v.asDouble();
    if (!v.isNumber() || d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE)
      throw new UserError(where + name(key) + " must be a whole number, got " + v);
    return OptionalInt.of((int) d);
  }

  Optional<String> text(String key) {
    if (!has(key)) return Optional.empty();
    JsonNode v = node.get(key);
    if (!v.isTextual()) throw new UserError(where + name(key) + " must be a string, got " + v);
    return Optional.of(v.asText());
  }

  Optional<double[]> numbers(String key) {
    if (!has(key)) return Optional.empty();
    JsonNode v = node.get(key);
    if (!v.isArray()) throw new UserError(where + name(key) + " must be a list of numbers, got " + v);
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isNumber()) throw new UserError(where + name(key) + "[" + i + "] must be a number, got " + v.get(i));
      out[i] = v.get(i).asDouble();
    }
    return Optional.of(out);
  }

  /** A key the given rope type cannot do without. */
  UserError missing(String key, String ropeType) {
    return new UserError(where + name(key) + " is missing for rope_type '" + ropeType + "'; add it to the file");
  }

  double requireNumber(String key, String ropeType) {
    return number(key).orElseThrow(() -> missing(key, ropeType));
  }

  int requireInteger(String key, String ropeType) {
    return integer(key).orElseThrow(() -> missing(key, ropeType));
  }
}
