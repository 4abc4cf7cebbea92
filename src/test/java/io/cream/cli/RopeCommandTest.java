package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RopeCommandTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out, oldErr = System.err;
    var out = new ByteArrayOutputStream();
    var err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static double[] invFreq(JsonNode json) {
    double[] v = new double[json.get("inv_freq").size()];
    for (int i = 0; i < v.length; i++) v[i] = json.get("inv_freq").get(i).asDouble();
    return v;
  }

  static final String[] YARN = {"rope", "--type", "yarn", "--factor", "8", "--head-dim", "128", "--base", "10000",
      "--original-max", "4096", "--format", "json"};

  @Test
  void noneAndDefaultAreOneTypeOnEveryCommand() throws Exception {
    assertEquals(RopeType.DEFAULT, RopeType.fromId("none", "--rope"));
    assertEquals(RopeType.DEFAULT, RopeType.fromId("default", "--rope"));
    assertEquals("none", RopeType.DEFAULT.cliName());
    assertTrue(RopeType.allIds().startsWith("none, linear"), RopeType.allIds());
    String[] common = {"--head-dim", "8", "--base", "10000", "--format", "json"};
    Run none = run(concat(new String[] {"rope", "--type", "none"}, common));
    Run dflt = run(concat(new String[] {"rope", "--type", "default"}, common));
    assertEquals(0, none.code(), none.err());
    assertEquals(none.out(), dflt.out());
    assertEquals(RopeType.DEFAULT, TrainCommand.ropeType("none"));
    assertEquals(RopeType.DEFAULT, TrainCommand.ropeType("default"));
    RopeOverride eval = new RopeOverride();
    eval.type = "default";
    assertEquals("none", eval.describe());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void trainDefaultsToLinearAndNamesThePapersYarn() {
    Run help = run("train", "--help");
    assertTrue(help.out().contains("linear (default"), help.out());
    assertTrue(help.out().contains("yarn-revised"), help.out());
    assertTrue(help.out().contains("CREAM-YaRN"), help.out());
    var spec = new picocli.CommandLine(new TrainCommand()).getCommandSpec();
    assertEquals("linear", spec.findOption("--rope").defaultValue());
    assertEquals("documents", spec.findOption("--sample-from").defaultValue());
    assertEquals("3000", spec.findOption("--branch-batch-size").defaultValue());
  }

  @Test
  void yarnPrintsEveryDoubleExactly() throws Exception {
    Run r = run(YARN);
    assertEquals(0, r.code(), r.err());
    assertEquals(1, r.out().strip().lines().count(), "one line");
    JsonNode json = Json.MAPPER.readTree(r.out());
    RopeScaling expected = RopeSpec.of(RopeType.YARN, 128, 10000, 8, 4096).build();
    assertArrayEquals(expected.invFreq(32768), invFreq(json), 0.0); // bit-exact after text round trip
    assertEquals(expected.attentionFactor(32768), json.get("attention_factor").asDouble(), 0.0);
    // Shortest round-trip text, e.g. Double.toString's digits for a mid-band entry.
    assertTrue(r.out().contains(Double.toString(expected.invFreq(1)[33])), r.out());
  }

  @Test
  void configFileGivesTheSameAnswerAsFlags(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("config.json");
    var node = Json.object().put("hidden_size", 4096).put("num_attention_heads", 32).put("max_position_embeddings", 4096);
    RopeSpec.of(RopeType.YARN, 128, 10000, 8, 4096).writeHfConfig(node);
    Files.writeString(config, Json.pretty(node));
    Run fromFile = run("rope", "--config", config.toString());
    assertEquals(0, fromFile.code(), fromFile.err());
    assertEquals(run(YARN).out(), fromFile.out());
  }

  @Test
  void seqLenSelectsDynamicGrowth() throws Exception {
    Run atL = run("rope", "--type", "dynamic", "--factor", "8", "--head-dim", "64", "--original-max", "2048", "--seq-len", "2048");
    Run twice = run("rope", "--type", "dynamic", "--factor", "8", "--head-dim", "64", "--original-max", "2048", "--seq-len", "4096");
    double[] plain = RopeScaling.defaultInvFreq(64, 10000);
    assertArrayEquals(plain, invFreq(Json.MAPPER.readTree(atL.out())), 0.0);
    double[] grown = invFreq(Json.MAPPER.readTree(twice.out()));
    assertTrue(grown[31] < plain[31], "larger base, lower frequency");
  }

  @Test
  void tableFormatListsEveryPair() {
    Run r = run("rope", "--type", "llama3", "--factor", "8", "--head-dim", "128", "--base", "500000",
        "--original-max", "8192", "--format", "table");
    assertEquals(0, r.code(), r.err());
    assertEquals(2 + 64, r.out().strip().lines().count(), r.out());
  }

  @Test
  void badInputIsExitTwoNamingTheFlag() {
    Run lowFactor = run("rope", "--type", "yarn", "--factor", "0.5", "--head-dim", "128", "--original-max", "4096");
    assertEquals(2, lowFactor.code());
    assertTrue(lowFactor.err().startsWith("cream: --factor must be >= 1"), lowFactor.err());

    Run odd = run("rope", "--type", "linear", "--factor", "2", "--head-dim", "127", "--original-max", "4096");
    assertEquals(2, odd.code());
    assertTrue(odd.err().contains("--head-dim must be an even number"), odd.err());

    Run unknown = run("rope", "--type", "ntk-by-parts", "--factor", "2", "--head-dim", "128", "--original-max", "4096");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--type: unknown RoPE type 'ntk-by-parts'"), unknown.err());

    Run missing = run("rope", "--type", "yarn", "--factor", "8", "--head-dim", "128");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("--original-max is missing"), missing.err());

    Run misplaced = run("rope", "--type", "llama3", "--factor", "8", "--head-dim", "128", "--original-max", "8192", "--beta-fast", "16");
    assertEquals(2, misplaced.code());
    assertTrue(misplaced.err().contains("--beta-fast/--beta-slow does not apply to --type llama3"), misplaced.err());

    Run both = run("rope", "--config", "config.json", "--factor", "8");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("--config and --factor"), both.err());

    for (Run r : new Run[] {lowFactor, odd, unknown, missing, misplaced, both})
      assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
  }
}
