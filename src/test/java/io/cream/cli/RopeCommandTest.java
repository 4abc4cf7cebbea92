package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RopeCommandTest {
  static CliRun run(String... args) {
    return CliRun.of(args);
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
    CliRun none = run(concat(new String[] {"rope", "--type", "none"}, common));
    CliRun dflt = run(concat(new String[] {"rope", "--type", "default"}, common));
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
    CliRun help = run("train", "--help");
    assertTrue(help.out().contains("(default: linear)"), help.out());
    assertTrue(help.out().contains("yarn-revised"), help.out());
    assertTrue(help.out().contains("CREAM-YaRN"), help.out());
    var spec = new picocli.CommandLine(new TrainCommand()).getCommandSpec();
    assertEquals("linear", spec.findOption("--rope").defaultValue());
    assertEquals("documents", spec.findOption("--sample-from").defaultValue());
    assertEquals("3000", spec.findOption("--branch-batch-size").defaultValue());
  }

  @Test
  void yarnPrintsEveryDoubleExactly() throws Exception {
    CliRun r = run(YARN);
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
    CliRun fromFile = run("rope", "--config", config.toString());
    assertEquals(0, fromFile.code(), fromFile.err());
    assertEquals(run(YARN).out(), fromFile.out());
  }

  @Test
  void seqLenSelectsDynamicGrowth() throws Exception {
    CliRun atL = run("rope", "--type", "dynamic", "--factor", "8", "--head-dim", "64", "--original-max", "2048", "--seq-len", "2048");
    CliRun twice = run("rope", "--type", "dynamic", "--factor", "8", "--head-dim", "64", "--original-max", "2048", "--seq-len", "4096");
    double[] plain = RopeScaling.defaultInvFreq(64, 10000);
    assertArrayEquals(plain, invFreq(Json.MAPPER.readTree(atL.out())), 0.0);
    double[] grown = invFreq(Json.MAPPER.readTree(twice.out()));
    assertTrue(grown[31] < plain[31], "larger base, lower frequency");
  }

  @Test
  void tableFormatListsEveryPair() {
    CliRun r = run("rope", "--type", "llama3", "--factor", "8", "--head-dim", "128", "--base", "500000",
        "--original-max", "8192", "--format", "table");
    assertEquals(0, r.code(), r.err());
    assertEquals(2 + 64, r.out().strip().lines().count(), r.out());
  }

  @Test
  void badInputIsExitTwoNamingTheFlag() {
    CliRun lowFactor = run("rope", "--type", "yarn", "--factor", "0.5", "--head-dim", "128", "--original-max", "4096");
    assertEquals(2, lowFactor.code());
    assertTrue(lowFactor.err().startsWith("cream: --factor must be >= 1"), lowFactor.err());

    CliRun odd = run("rope", "--type", "linear", "--factor", "2", "--head-dim", "127", "--original-max", "4096");
    assertEquals(2, odd.code());
    assertTrue(odd.err().contains("--head-dim must be an even number"), odd.err());

    CliRun unknown = run("rope", "--type", "ntk-by-parts", "--factor", "2", "--head-dim", "128", "--original-max", "4096");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--type: unknown RoPE type 'ntk-by-parts'"), unknown.err());

    CliRun missing = run("rope", "--type", "yarn", "--factor", "8", "--head-dim", "128");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("--original-max is missing"), missing.err());

    CliRun misplaced = run("rope", "--type", "llama3", "--factor", "8", "--head-dim", "128", "--original-max", "8192", "--beta-fast", "16");
    assertEquals(2, misplaced.code());
    assertTrue(misplaced.err().contains("--beta-fast/--beta-slow does not apply to --type llama3"), misplaced.err());

    CliRun both = run("rope", "--config", "config.json", "--factor", "8");
    assertEquals(2, both.code());
    assertTrue(both.err().contains("--config and --factor"), both.err());

    for (CliRun r : new CliRun[] {lowFactor, odd, unknown, missing, misplaced, both})
      assertEquals(1, r.err().strip().lines().count(), "one line, no stack trace: " + r.err());
  }
}
