package io.cream.rope;

import static io.cream.rope.RopeAssertions.assertAllClose;
import static io.cream.rope.RopeAssertions.assertClose;
import static io.cream.rope.RopeAssertions.theta;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reading and writing the RoPE keys of a Hugging Face config.json. */
class HfRopeConfigTest {
  static final int D = 128, L = 4096;

  /** The shape of Llama-2-7B's config.json (the keys that matter here plus one bystander). */
  static ObjectNode llama2() {
    return (ObjectNode) parse("""
        {"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32,
         "max_position_embeddings": 4096, "rope_theta": 10000.0, "rope_scaling": null, "vocab_size": 32000}""");
  }

  static JsonNode parse(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static RopeSpec specFor(RopeType type) {
    Random rnd = new Random(11);
    double[] shortF = new double[D / 2], longF = new double[D / 2];
    for (int i = 0; i < D / 2; i++) {
      shortF[i] = 1 + 0.5 * rnd.nextDouble();
      longF[i] = 1 + 15 * rnd.nextDouble();
    }
    RopeSpec spec = type == RopeType.DEFAULT ? RopeSpec.defaults(D, 10000, L) : RopeSpec.of(type, D, 10000, 8, L);
    return switch (type) {
      case LLAMA3 -> spec.withFreqFactors(1, 4);
      case LONGROPE -> spec.withLongRopeFactors(shortF, longF);
      case YARN_REVISED -> spec.withBetas(24, 2);
      default -> spec;
    };
  }

  /** Write into Llama-2's config, serialise to text, parse, read. */
  static RopeSpec roundTrip(RopeSpec spec, ObjectNode config) {
    spec.writeHfConfig(config);
    return RopeSpec.fromHfConfig(parse(Json.pretty(config)));
  }

  @ParameterizedTest
  @EnumSource(RopeType.class)
  void writeThenReadGivesTheSameFrequencies(RopeType type) {
    RopeSpec spec = specFor(type);
    ObjectNode config = llama2();
    RopeSpec back = roundTrip(spec, config);
    RopeScaling a = spec.build(), b = back.build();
    assertEquals(type, back.type());
    for (int len : new int[] {1, L, L + 1, 2 * L, 8 * L}) {
      assertArrayEquals(a.invFreq(len), b.invFreq(len), "inv_freq at " + len);
      assertEquals(a.attentionFactor(len), b.attentionFactor(len), "attention factor at " + len);
    }
    // longrope comes back with its attention factor written out; every other spec comes back whole.
    if (type != RopeType.LONGROPE) assertEquals(spec, back);
    assertEquals(32000, config.get("vocab_size").asInt(), "other keys are kept");
    double writtenTheta = config.get("rope_theta").asDouble();
    if (type == RopeType.NTK) assertEquals(82684.6, writtenTheta, 0.05);
    else assertEquals(10000.0, writtenTheta);
  }

  @Test
  void typesTransformersKnowsAreWrittenUnderTheirOwnName() {
    for (RopeType type : new RopeType[] {RopeType.LINEAR, RopeType.DYNAMIC, RopeType.YARN, RopeType.LLAMA3, RopeType.LONGROPE}) {
      ObjectNode config = llama2();
      specFor(type).writeHfConfig(config);
      JsonNode scaling = config.get("rope_scaling");
      assertEquals(type.id(), scaling.get("rope_type").asText());
      assertEquals(8.0, scaling.get("factor").asDouble());
      assertTrue(scaling.get("factor").isDouble(), "factor is written as a float, as HF validates");
      assertEquals(L, scaling.get("original_max_position_embeddings").asInt());
      assertFalse(config.has(HfRopeConfig.MARKER));
      int expectedMax = type == RopeType.DYNAMIC ? L : 8 * L; // HF grows dynamic's base past max_position_embeddings
      assertEquals(expectedMax, config.get("max_position_embeddings").asInt(), type.id());
    }
    ObjectNode plain = llama2();
    specFor(RopeType.YARN).writeHfConfig(plain);
    RopeSpec.defaults(D, 10000, L).writeHfConfig(plain);
    assertTrue(plain.get("rope_scaling").isNull());
    assertEquals(L, plain.get("max_position_embeddings").asInt());
  }

  @Test
  void ntkIsWrittenAsPlainRopeWithTheLargerBase() {
    ObjectNode config = llama2();
    specFor(RopeType.NTK).writeHfConfig(config);
    assertTrue(config.get("rope_scaling").isNull());
    assertEquals(82684.6, config.get("rope_theta").asDouble(), 0.05);
    // What transformers reads (ignoring our marker) computes the same frequencies.
    config.remove(HfRopeConfig.MARKER);
    RopeSpec hfView = RopeSpec.fromHfConfig(config);
    assertEquals(RopeType.DEFAULT, hfView.type());
    assertArrayEquals(specFor(RopeType.NTK).build().invFreq(L), hfView.build().invFreq(L));
  }

  @Test
  void yarnRevisedIsWrittenAsAnExactLongRope() {
    ObjectNode config = llama2();
    RopeSpec spec = RopeSpec.of(RopeType.YARN_REVISED, D, 10000, 8, L);
    spec.writeHfConfig(config);
    JsonNode scaling = config.get("rope_scaling");
    assertEquals("longrope", scaling.get("rope_type").asText());
    assertEquals(scaling.get("short_factor"), scaling.get("long_factor"));
    assertClose(1 + 0.3 * Math.log(2), scaling.get("attention_factor").asDouble(), 1e-15, "attention_factor");
    // HF longrope: inv_freq_i = 1 / (ext_i · b^(2i/d)). Recompute from the written list and compare
    // with CREAM's θ_i / ((1 − w_i)·f + w_i), low 20, high 46.
    for (int i = 0; i < D / 2; i++) {
      double hf = 1 / (scaling.get("short_factor").get(i).asDouble() * Math.pow(10000, 2.0 * i / D));
      double w = 1 - Math.clamp((i - 20) / 26.0, 0.0, 1.0);
      assertClose(theta(i, D, 10000) / ((1 - w) * 8 + w), hf, 1e-13, "longrope view [" + i + "]");
    }
    assertEquals("yarn-revised", config.get(HfRopeConfig.MARKER).get("rope_type").asText());
    assertFalse(config.has("original_max_position_embeddings"), "no Phi-3 window for this longrope");
  }

  @Test
  void handEditedConfigThatContradictsTheMarkerIsRejected() {
    ObjectNode config = llama2();
    RopeSpec.of(RopeType.YARN_REVISED, D, 10000, 8, L).writeHfConfig(config);
    config.put("rope_theta", 500000.0);
    var e = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(e.getMessage().contains("cream_rope"), e.getMessage());
  }

  @Test
  void legacyTypeKeyIsAccepted() {
    ObjectNode config = llama2();
    config.set("rope_scaling", parse("{\"type\": \"linear\", \"factor\": 4}"));
    config.put("max_position_embeddings", 16384);
    RopeSpec spec = RopeSpec.fromHfConfig(config);
    assertEquals(RopeType.LINEAR, spec.type());
    assertEquals(4.0, spec.factor());
    assertEquals(4096, spec.originalMaxPositionEmbeddings(), "window before extension = 16384 / 4");
    assertAllClose(ScalingFormulasTest.thetas(D, 10000, 4), spec.build().invFreq(1), 1e-13, "linear");
  }

  @Test
  void llama31ConfigReadsAsLlama3() {
    RopeSpec spec = RopeSpec.fromHfConfig(parse("""
        {"hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 131072, "rope_theta": 500000.0,
         "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                          "original_max_position_embeddings": 8192, "rope_type": "llama3"}}"""));
    assertEquals(RopeSpec.of(RopeType.LLAMA3, 128, 500000, 8, 8192).withFreqFactors(1, 4).withMaxPositionEmbeddings(131072), spec);
  }

  @Test
  void defaultsWhenKeysAreAbsent() {
    RopeSpec spec = RopeSpec.fromHfConfig(parse("{\"head_dim\": 64, \"hidden_size\": 999, \"num_attention_heads\": 7, \"max_position_embeddings\": 2048}"));
    assertEquals(RopeSpec.defaults(64, 10000, 2048), spec, "rope_theta 10000 and head_dim taken over hidden/heads");
  }

  @Test
  void unknownTypeIsAUserErrorNamingTheKey() {
    ObjectNode config = llama2();
    config.set("rope_scaling", parse("{\"rope_type\": \"su\", \"factor\": 2.0}"));
    var e = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(e.getMessage().startsWith("config.json: rope_scaling.rope_type 'su' is not supported"), e.getMessage());
  }

  @Test
  void missingKeysAreUserErrorsNamingTheKey() {
    ObjectNode config = llama2();
    config.set("rope_scaling", parse("{\"rope_type\": \"yarn\"}"));
    var yarn = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(yarn.getMessage().startsWith("config.json: rope_scaling.factor is missing for rope_type 'yarn'"), yarn.getMessage());

    config.set("rope_scaling", parse("{\"rope_type\": \"llama3\", \"factor\": 8.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 8192}"));
    var llama3 = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config, "/m/config.json"));
    assertTrue(llama3.getMessage().startsWith("/m/config.json: rope_scaling.low_freq_factor is missing"), llama3.getMessage());

    config.set("rope_scaling", parse("{\"rope_type\": \"longrope\", \"factor\": 8.0, \"long_factor\": [1.0]}"));
    var longrope = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(longrope.getMessage().contains("rope_scaling.short_factor is missing"), longrope.getMessage());

    config.remove("max_position_embeddings");
    config.set("rope_scaling", null);
    var window = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(window.getMessage().contains("max_position_embeddings is missing"), window.getMessage());
  }

  @Test
  void badValuesNameTheKey() {
    ObjectNode config = llama2();
    config.set("rope_scaling", parse("{\"rope_type\": \"linear\", \"factor\": 0.5}"));
    var e = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(e.getMessage().startsWith("config.json: rope_scaling.factor must be >= 1"), e.getMessage());
    config.set("rope_scaling", parse("{\"rope_type\": \"linear\", \"factor\": \"8\"}"));
    var text = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(text.getMessage().contains("rope_scaling.factor must be a number"), text.getMessage());
    config.set("rope_scaling", null);
    config.put("partial_rotary_factor", 0.5);
    var partial = assertThrows(UserError.class, () -> RopeSpec.fromHfConfig(config));
    assertTrue(partial.getMessage().contains("partial_rotary_factor"), partial.getMessage());
  }

  @Test
  void transformers5RopeParametersAreReadAndWrittenInPlace() {
    ObjectNode config = (ObjectNode) parse("""
        {"hidden_size": 4096, "num_attention_heads": 32, "max_position_embeddings": 4096,
         "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0}}""");
    assertEquals(RopeSpec.defaults(D, 10000, L), RopeSpec.fromHfConfig(config));
    RopeSpec yarn = RopeSpec.of(RopeType.YARN, D, 10000, 8, L);
    yarn.writeHfConfig(config);
    assertEquals("yarn", config.get("rope_parameters").get("rope_type").asText());
    assertEquals(10000.0, config.get("rope_parameters").get("rope_theta").asDouble());
    assertFalse(config.has("rope_scaling") || config.has("rope_theta"), "one place for the RoPE settings");
    assertEquals(yarn, RopeSpec.fromHfConfig(config));
  }

  @Test
  void yarnMscaleBecomesTheAttentionFactor() {
    ObjectNode config = llama2();
    config.set("rope_scaling", parse("""
        {"rope_type": "yarn", "factor": 40.0, "original_max_position_embeddings": 4096, "mscale": 1.0, "mscale_all_dim": 0.5}"""));
    config.put("max_position_embeddings", 163840);
    // (0.1·1·ln 40 + 1) / (0.1·0.5·ln 40 + 1) = 1.368888 / 1.184444 = 1.155722
    assertEquals(1.155722, RopeSpec.fromHfConfig(config).build().attentionFactor(1), 1e-6);
  }

  @Test
  void yarnNeedsTheWindowsToAgreeWithTheFactor() {
    RopeSpec odd = RopeSpec.of(RopeType.YARN, D, 10000, 8, L).withMaxPositionEmbeddings(30000);
    var e = assertThrows(UserError.class, () -> odd.writeHfConfig(llama2()));
    assertTrue(e.getMessage().contains("max_position_embeddings (30000)"), e.getMessage());
  }

  @Test
  void longRopeWritesThePhi3WindowSoTransformersSwitchesAtL() {
    ObjectNode config = llama2();
    specFor(RopeType.LONGROPE).writeHfConfig(config);
    assertEquals(L, config.get("original_max_position_embeddings").asInt());
    RopeSpec.of(RopeType.LINEAR, D, 10000, 8, L).writeHfConfig(config);
    assertFalse(config.has("original_max_position_embeddings"), "stale Phi-3 window removed");
  }
}
