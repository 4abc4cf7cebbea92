package io.cream.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the fields of one JSON object of a plan, recording every mistake as one line that names
 * the field by its path (e.g. {@code runs[2].lr: expected a number, got "fast"}) instead of
 * stopping at the first. A field with a mistake reads as its default, so reading goes on.
 */
final class JsonFields {
  private final JsonNode node;
  private final String where;
  private final List<String> problems;
  private final Path relativeTo;

  JsonFields(JsonNode node, String where, List<String> problems, Path relativeTo) {
    this.node = node;
    this.where = where;
    this.problems = problems;
    this.relativeTo = relativeTo;
  }

  /** The path of a field of this object, e.g. "runs[2].lr" (or "lr" at the top level). */
  String path(String field) {
    return where.isEmpty() ? field : where + "." + field;
  }

  void problem(String field, String message) {
    problems.add(path(field) + ": " + message);
  }

  boolean has(String field) {
    return node.has(field) && !node.get(field).isNull();
  }

  /** Records a problem for every field not in {@code known}. */
  void rejectUnknown(Set<String> known, String hint) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) problem(f, "unknown field" + hint + "; known: " + String.join(", ", new TreeSet<>(known)));
    }
  }

  /** A whole number ≥ min, or {@code dflt} when absent (null dflt: required). */
  Integer integer(String field, Integer dflt, long min) {
    Long v = wholeNumber(field, dflt == null ? null : (long) dflt, min, Integer.MAX_VALUE);
    return v == null ? null : (int) (long) v;
  }

  Long wholeNumber(String field, Long dflt, long min, long max) {
    if (!has(field)) return required(field, dflt, "a whole number");
    JsonNode v = node.get(field);
    Long value = asWhole(v);
    if (value == null) {
      problem(field, "expected a whole number, got " + v);
      return dflt;
    }
    if (value < min || value > max) {
      problem(field, (value < min ? "must be at least " + min : "must be at most " + max) + ", got " + value);
      return dflt;
    }
    return value;
  }

  /** A finite number in [min, max] (exclusive lower bound when {@code minExclusive}). */
  Double number(String field, Double dflt, double min, boolean minExclusive, double max) {
    if (!has(field)) return required(field, dflt, "a number");
    JsonNode v = node.get(field);
    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
      problem(field, "expected a number, got " + v);
      return dflt;
    }
    double d = v.asDouble();
    boolean low = minExclusive ? d <= min : d < min;
    if (low || d > max) {
      String range = (minExclusive ? "above " : "at least ") + fmt(min) + (max == Double.MAX_VALUE ? "" : " and at most " + fmt(max));
      problem(field, "must be " + range + ", got " + v);
      return dflt;
    }
    return d;
  }

  Boolean bool(String field, Boolean dflt) {
    if (!has(field)) return required(field, dflt, "true or false");
    JsonNode v = node.get(field);
    if (!v.isBoolean()) {
      problem(field, "expected true or false, got " + v);
      return dflt;
    }
    return v.asBoolean();
  }

  /** A string, one of {@code choices} when that is not empty. */
  String text(String field, String dflt, List<String> choices) {
    if (!has(field)) return required(field, dflt, choices.isEmpty() ? "a string" : "one of " + String.join(", ", choices));
    JsonNode v = node.get(field);
    if (!v.isTextual()) {
      problem(field, "expected a string, got " + v);
      return dflt;
    }
    if (!choices.isEmpty() && !choices.contains(v.asText())) {
      problem(field, "'" + v.asText() + "' is not one of " + String.join(", ", choices));
      return dflt;
    }
    return v.asText();
  }

  /** A folder or file that exists; relative paths resolve against the plan file's folder. */
  Path existingPath(String field, boolean required, String what) {
    if (!has(field)) {
      if (required) problem(field, "required: " + what);
      return null;
    }
    JsonNode v = node.get(field);
    if (!v.isTextual() || v.asText().isBlank()) {
      problem(field, "expected a path (a string), got " + v);
      return null;
    }
    Path p = relativeTo.resolve(v.asText()).toAbsolutePath().normalize();
    if (!Files.exists(p)) {
      problem(field, "not found: " + p + " (relative paths are read from the plan file's folder)");
      return null;
    }
    return p;
  }

  /** A non-empty list of whole numbers ≥ min. */
  List<Long> wholeNumbers(String field, List<Long> dflt, long min) {
    if (!has(field)) return required(field, dflt, "a list of whole numbers");
    JsonNode v = node.get(field);
    if (!v.isArray() || v.isEmpty()) {
      problem(field, "expected a non-empty list of whole numbers, got " + v);
      return dflt;
    }
    List<Long> out = new ArrayList<>();
    for (JsonNode e : v) {
      Long x = asWhole(e);
      if (x == null || x < min) {
        problem(field, "every entry must be a whole number of at least " + min + ", got " + e);
        return dflt;
      }
      out.add(x);
    }
    return out;
  }

  List<Integer> integers(String field, List<Integer> dflt, long min) {
    List<Long> v = wholeNumbers(field, dflt == null ? null : dflt.stream().map(Integer::longValue).toList(), min);
    if (v == null) return null;
    for (long x : v) {
      if (x > Integer.MAX_VALUE) {
        problem(field, "entry " + x + " is too large");
        return dflt;
      }
    }
    return v.stream().map(Long::intValue).toList();
  }

  /** A non-empty list of numbers in [min, max]. */
  List<Double> numbers(String field, List<Double> dflt, double min, double max) {
    if (!has(field)) return required(field, dflt, "a list of numbers");
    JsonNode v = node.get(field);
    if (!v.isArray() || v.isEmpty()) {
      problem(field, "expected a non-empty list of numbers, got " + v);
      return dflt;
    }
    List<Double> out = new ArrayList<>();
    for (JsonNode e : v) {
      if (!e.isNumber() || e.asDouble() < min || e.asDouble() > max) {
        problem(field, "every entry must be a number from " + fmt(min) + " to " + fmt(max) + ", got " + e);
        return dflt;
      }
      out.add(e.asDouble());
    }
    return out;
  }

  private <T> T required(String field, T dflt, String what) {
    if (dflt == null) problem(field, "required (" + what + ")");
    return dflt;
  }

  private static Long asWhole(JsonNode v) {
    if (v.isIntegralNumber() && v.canConvertToLong()) return v.asLong();
    if (v.isFloatingPointNumber() && v.asDouble() == Math.rint(v.asDouble()) && Math.abs(v.asDouble()) < 9e15) {
      return (long) v.asDouble();
    }
    return null;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
