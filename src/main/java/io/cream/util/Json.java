package io.cream.util;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One shared Jackson mapper and the few JSON helpers the project needs. */
public final class Json {
  public static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();

  private Json() {}

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  /** Reads a JSON file; a missing or malformed file is a UserError naming the path. */
  public static JsonNode read(Path path) {
    if (!Files.isRegularFile(path)) throw new UserError("file not found: " + path);
    try {
      return MAPPER.readTree(path.toFile());
    } catch (IOException e) {
      throw new UserError("not valid JSON: " + path + " (" + firstLine(e.getMessage()) + ")");
    }
  }

  /** Pretty JSON text. */
  public static String pretty(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Single-line JSON text (for jsonl output). */
  public static String compact(Object value) {
    try {
      return COMPACT.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes JSON atomically: a temporary file beside the target, then a rename. */
  public static void writeAtomically(Path path, Object value) throws IOException {
    AtomicFiles.writeString(path, pretty(value) + "\n");
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
