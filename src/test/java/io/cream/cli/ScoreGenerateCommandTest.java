package io.cream.cli;

import static io.cream.cli.CompareCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `cream score` and `cream generate` through the command line on the shipped 4M base model, and --rope. */
class ScoreGenerateCommandTest {
  static final Path BASE = BaseToolsCommandTest.BASE;
  static final String TEXT = "Alice was beginning to get very tired of sitting by her sister on the bank, and of"
      + " having nothing to do: once or twice she had peeped into the book her sister was reading.";
  @TempDir Path tmp;

  private JsonNode score(Path model, String... rope) throws Exception {
    Path text = tmp.resolve("text.txt");
    Files.writeString(text, TEXT);
    String[] args = {"score", "--model", model.toString(), "--text-file", text.toString()};
    String[] all = java.util.Arrays.copyOf(args, args.length + rope.length);
    System.arraycopy(rope, 0, all, args.length, rope.length);
    CliRun r = run(all);
    assertEquals(0, r.code(), r.err());
    return Json.MAPPER.readTree(r.out());
  }

  @Test
  void scoreFieldsAgree() throws Exception {
    JsonNode s = score(BASE);
    int n = s.get("tokens").size();
    JsonNode lp = s.get("logprobs");
    assertEquals(n, lp.size());
    assertTrue(lp.get(0).isNull(), "the first token has no context");
    assertEquals(n - 1, s.get("n_scored").asInt());
    double sum = 0;
    for (int i = 1; i < n; i++) {
      assertTrue(lp.get(i).asDouble() <= 0, "a log-probability");
      sum -= lp.get(i).asDouble();
    }
    assertEquals(sum, s.get("nll").asDouble(), 1e-9);
    assertEquals(sum / (n - 1), s.get("mean_nll").asDouble(), 1e-9);
    assertEquals(Math.exp(sum / (n - 1)), s.get("perplexity").asDouble(), 1e-9);
    assertTrue(s.get("perplexity").asDouble() < 200, "the base model knows English a little: " + s.get("perplexity"));
    assertTrue(s.get("rope").isNull());
  }

  @Test
  void ropeOverrideIsTheRopeUsed() throws Exception {
    JsonNode own = score(BASE);
    JsonNode linear = score(BASE, "--rope", "linear", "--rope-factor", "4");
    assertEquals("linear×4.0", linear.get("rope").asText());
    assertNotEquals(own.get("nll").asDouble(), linear.get("nll").asDouble(), "the override changes the scores");

    // The same scaling written into a copy's config.json scores the same.
    Path copy = Files.createDirectories(tmp.resolve("linear4"));
    try (var files = Files.list(BASE)) {
      for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    ObjectNode config = (ObjectNode) Json.MAPPER.readTree(copy.resolve("config.json").toFile());
    config.putObject("rope_scaling").put("rope_type", "linear").put("factor", 4.0);
    Files.writeString(copy.resolve("config.json"), Json.pretty(config));
    JsonNode written = score(copy);
    assertEquals(linear.get("tokens"), written.get("tokens"));
    for (int i = 1; i < linear.get("logprobs").size(); i++) {
      assertEquals(linear.get("logprobs").get(i).asDouble(), written.get("logprobs").get(i).asDouble(), 1e-6, "token " + i);
    }
  }

  private String generate(String... more) {
    String[] args = {"generate", "--model", BASE.toString(), "--prompt", "Alice was beginning to"};
    String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    CliRun r = run(all);
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Alice was beginning to"), r.out());
    return r.out().strip();
  }

  @Test
  void greedyGenerationIsDeterministicAndStopsAtMaxNewTokens() {
    String short5 = generate("--max-new-tokens", "5");
    String long20 = generate("--max-new-tokens", "20");
    assertEquals(short5, generate("--max-new-tokens", "5"), "greedy is deterministic");
    assertTrue(long20.startsWith(short5) && long20.length() > short5.length(), short5 + " | " + long20);
    assertTrue(short5.length() > "Alice was beginning to".length(), "something was generated");
  }

  @Test
  void samplingIsFixedByTheSeed() {
    String a = generate("--max-new-tokens", "12", "--temperature", "1", "--top-p", "0.95", "--seed", "3");
    assertEquals(a, generate("--max-new-tokens", "12", "--temperature", "1", "--top-p", "0.95", "--seed", "3"));
  }
}
