package io.cream.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Typed config reads: absent and null read as empty, a wrong type names the file and the key. */
class ConfigFieldsTest {
  private static final JsonNode CONFIG = parse("""
      {"hidden_size": 64, "window": 4096.0, "half": 2.5, "name": "llama", "tied": true, "gone": null,
       "eos_token_id": [1, 2], "bos_token_id": 1, "factors": [1, 1.5],
       "rope_scaling": {"factor": "8"}}""");

  @Test
  void readsTypedValuesAndTreatsNullAsAbsent() {
    ConfigFields f = ConfigFields.of(CONFIG, "config.json");
    assertEquals(64, f.integer("hidden_size").getAsInt());
    assertEquals(4096, f.integer("window").getAsInt(), "a whole float is a whole number");
    assertEquals(2.5, f.number("half").getAsDouble());
    assertEquals("llama", f.text("name").orElseThrow());
    assertTrue(f.flag("tied").orElseThrow());
    assertFalse(f.has("gone"));
    assertTrue(f.integer("gone").isEmpty());
    assertTrue(f.text("absent").isEmpty());
    assertEquals(List.of(1, 2), f.integers("eos_token_id"));
    assertEquals(List.of(1), f.integers("bos_token_id"));
    assertEquals(List.of(), f.integers("absent"));
    assertArrayEquals(new double[] {1, 1.5}, f.numbers("factors").orElseThrow());
    assertTrue(new ConfigFields(null, "x: ", "").number("anything").isEmpty());
  }

  @Test
  void mistakesNameTheFileAndTheKeyPath() {
    ConfigFields f = ConfigFields.of(CONFIG, "/m/config.json");
    assertEquals("/m/config.json: half must be a whole number, got 2.5", message(() -> f.integer("half")));
    assertEquals("/m/config.json: name must be true or false, got \"llama\"", message(() -> f.flag("name")));
    assertEquals("/m/config.json: hidden_size must be a string, got 64", message(() -> f.text("hidden_size")));
    ConfigFields rope = new ConfigFields(CONFIG.get("rope_scaling"), "/m/config.json: ", "rope_scaling.");
    assertEquals("/m/config.json: rope_scaling.factor must be a number, got \"8\"", message(() -> rope.number("factor")));
    assertEquals("/m/config.json: rope_scaling.beta is missing for yarn; add it",
        rope.missing("beta", " for yarn", "add it").getMessage());
    ConfigFields list = ConfigFields.of(parse("{\"eos_token_id\": [1, \"x\"]}"), "c.json");
    assertEquals("c.json: eos_token_id[1] must be a whole number, got \"x\"", message(() -> list.integers("eos_token_id")));
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String message(Runnable read) {
    return assertThrows(UserError.class, read::run).getMessage();
  }
}
