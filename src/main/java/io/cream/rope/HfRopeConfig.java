package io.cream.rope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.ConfigFields;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.util.OptionalDouble;

/**
 * RoPE settings in a Hugging Face config.json, read and written the way transformers (4.45 and
 * later, including 5.x) interprets them.
 *
 * <p><b>Reading.</b> rope_theta (10000 when absent, as HF), max_position_embeddings, head_dim (or
 * hidden_size / num_attention_heads), and the scaling object: {@code rope_parameters} (transformers
 * 5) when present, else {@code rope_scaling} (null or absent: default). Its type comes from
 * {@code rope_type} or the legacy {@code type}. Where versions of transformers disagree we follow the
 * newest: YaRN uses the explicit factor; dynamic takes its window L from max_position_embeddings;
 * longrope takes L from a top-level original_max_position_embeddings (Phi-3 style, and then
 * f = max_position_embeddings / L) or else max_position_embeddings. YaRN's mscale/mscale_all_dim
 * become the equivalent attention factor.
 *
 * <p><b>Writing.</b> The extended model's rope_theta, scaling object and max_position_embeddings, in
 * the shape the file already uses (rope_parameters or rope_scaling); every other key is kept. The two
 * types transformers lacks are written so the checkpoint still loads in transformers and computes
 * exactly our frequencies:
 * <ul>
 *   <li>ntk: plain RoPE with rope_theta = b·f^(d/(d−2)) and no scaling object.
 *   <li>yarn-revised: writing rope_type "yarn" would be wrong (HF blends frequencies, CREAM blends
 *       wavelengths: they differ inside the ramp band), and a made-up rope_type would not load. HF's
 *       longrope computes θ_i / ext_i, so yarn-revised is written as rope_type "longrope" with
 *       short_factor = long_factor = ext_i = (1 − w_i)·f + w_i and an explicit attention_factor:
 *       identical numbers at every length.
 * </ul>
 * For both, a top-level {@code "cream_rope"} object (ignored by transformers) records the original
 * type and parameters so this reader gives back ntk or yarn-revised; it is checked against the
 * HF keys and a disagreement (a hand edit) is an error. Dynamic writes max_position_embeddings = L
 * (HF measures growth from it); yarn requires max_position_embeddings = f·L exactly (some
 * transformers versions derive the YaRN factor from that ratio); longrope also writes the top-level
 * original_max_position_embeddings so HF switches to the long factors beyond L.
 */
public final class HfRopeConfig {
  /** Top-level key recording a type transformers lacks (ntk, yarn-revised). */
  public static final String MARKER = "cream_rope";

  private HfRopeConfig() {}

  /** Reads a config.json object; {@code source} names the file in error messages. */
  public static RopeSpec read(JsonNode config, String source) {
    String where = source + ": ";
    if (config == null || !config.isObject()) throw new UserError(where + "not a JSON object; expected a model config.json");
    ConfigFields top = new ConfigFields(config, where, "");
    boolean v5 = config.has("rope_parameters") && config.get("rope_parameters").isObject();
    String dictName = v5 ? "rope_parameters" : "rope_scaling";
    JsonNode dictNode = config.get(dictName);
    if (dictNode != null && !dictNode.isNull() && !dictNode.isObject())
      throw new UserError(where + dictName + " must be an object or null, got " + dictNode);
    ConfigFields dict = new ConfigFields(dictNode, where, dictName + ".");

    String typeName = dict.text("rope_type").or(() -> dict.text("type")).orElse("default");
    if (v5 && !dict.has("rope_type") && !dict.has("type") && dictNode.properties().stream().anyMatch(e -> e.getValue().isObject()))
      throw new UserError(where + "rope_parameters holds one setting per layer type; only one RoPE for all layers is supported");
    double prf = dict.number("partial_rotary_factor").orElse(top.number("partial_rotary_factor").orElse(1.0));
    UserError.require(prf == 1.0, where + "partial_rotary_factor " + prf
        + " is not supported: Llama-family models rotate the whole head (remove the key or set it to 1.0)");

    int headDim = headDim(top);
    int maxPos = top.integer("max_position_embeddings")
        .orElseThrow(() -> new UserError(where + "max_position_embeddings is missing; add the model's context window"));
    double base = dict.number("rope_theta").orElse(top.number("rope_theta").orElse(RopeSpec.DEFAULT_BASE));
    RopeFieldNames names = RopeFieldNames.hfConfig(source, dictName);

    RopeSpec spec = switch (typeName) {
      case "default" -> RopeSpec.defaults(headDim, base, maxPos);
      case "linear" -> {
        double f = requireNumber(dict, "factor", typeName);
        int orig = dict.integer("original_max_position_embeddings").orElse((int) Math.max(2, Math.round(maxPos / f)));
        yield RopeSpec.of(RopeType.LINEAR, headDim, base, f, orig).withMaxPositionEmbeddings(maxPos);
      }
      // HF grows the base past max_position_embeddings: that is this type's pre-trained window.
      case "dynamic" -> RopeSpec.of(RopeType.DYNAMIC, headDim, base, requireNumber(dict, "factor", typeName), maxPos);
      case "yarn" -> readYarn(dict, headDim, base, maxPos);
      case "llama3" -> RopeSpec.of(RopeType.LLAMA3, headDim, base, requireNumber(dict, "factor", typeName),
              requireInteger(dict, "original_max_position_embeddings", typeName))
          .withFreqFactors(requireNumber(dict, "low_freq_factor", typeName), requireNumber(dict, "high_freq_factor", typeName))
          .withMaxPositionEmbeddings(maxPos);
      case "longrope" -> readLongRope(top, dict, headDim, base, maxPos);
      default -> throw new UserError(where + dictName + (dict.has("rope_type") ? ".rope_type" : ".type") + " '" + typeName
          + "' is not supported; use one of: default, linear, dynamic, yarn, llama3, longrope");
    };
    spec.validate(names);
    return config.hasNonNull(MARKER) ? fromMarker(config, source, headDim, maxPos, spec) : spec;
  }

  private static int headDim(ConfigFields top) {
    var explicit = top.integer("head_dim");
    if (explicit.isPresent()) return explicit.getAsInt();
    var hidden = top.integer("hidden_size");
    var heads = top.integer("num_attention_heads");
    if (hidden.isEmpty() || heads.isEmpty() || heads.getAsInt() <= 0)
      throw new UserError(top.where() + "head_dim is missing and hidden_size / num_attention_heads cannot stand in; add head_dim");
    return hidden.getAsInt() / heads.getAsInt();
  }

  private static RopeSpec readYarn(ConfigFields dict, int headDim, double base, int maxPos) {
    double f = requireNumber(dict, "factor", "yarn");
    int orig = dict.integer("original_max_position_embeddings").orElse(maxPos);
    if (!dict.flag("truncate").orElse(true))
      throw new UserError(dict.where() + dict.name("truncate") + " = false (an unrounded ramp) is not supported; remove it");
    // HF treats 0 like absent here ("or 32"), so do we.
    double fast = dict.number("beta_fast").orElse(0);
    double slow = dict.number("beta_slow").orElse(0);
    OptionalDouble attention = dict.number("attention_factor");
    double mscale = dict.number("mscale").orElse(0);
    double mscaleAllDim = dict.number("mscale_all_dim").orElse(0);
    if (attention.isEmpty() && mscale != 0 && mscaleAllDim != 0)
      attention = OptionalDouble.of(mscale(f, mscale) / mscale(f, mscaleAllDim));
    return RopeSpec.of(RopeType.YARN, headDim, base, f, orig)
        .withBetas(fast == 0 ? RopeSpec.DEFAULT_BETA_FAST : fast, slow == 0 ? RopeSpec.DEFAULT_BETA_SLOW : slow)
        .withAttentionFactor(attention)
        .withMaxPositionEmbeddings(maxPos);
  }

  /** A key the given rope type cannot do without. */
  private static UserError missing(ConfigFields f, String key, String ropeType) {
    return f.missing(key, " for rope_type '" + ropeType + "'", "add it to the file");
  }

  private static double requireNumber(ConfigFields f, String key, String ropeType) {
    return f.number(key).orElseThrow(() -> missing(f, key, ropeType));
  }

  private static int requireInteger(ConfigFields f, String key, String ropeType) {
    return f.integer(key).orElseThrow(() -> missing(f, key, ropeType));
  }

  /** DeepSeek's magnitude rule, 0.1·m·ln f + 1. */
  private static double mscale(double factor, double m) {
    return factor <= 1 ? 1.0 : 0.1 * m * Math.log(factor) + 1.0;
  }

  private static RopeSpec readLongRope(ConfigFields top, ConfigFields dict, int headDim, double base, int maxPos) {
    double[] shortF = dict.numbers("short_factor").orElseThrow(() -> missing(dict, "short_factor", "longrope"));
    double[] longF = dict.numbers("long_factor").orElseThrow(() -> missing(dict, "long_factor", "longrope"));
    OptionalDouble attention = dict.number("attention_factor");
    var topOrig = top.integer("original_max_position_embeddings");
    int orig = topOrig.orElse(maxPos);
    double f;
    if (topOrig.isPresent()) f = (double) maxPos / orig; // Phi-3: HF takes the factor from the two windows
    else if (dict.has("factor")) f = requireNumber(dict, "factor", "longrope");
    else if (attention.isPresent()) f = 1.0; // only the attention factor would need it
    else throw missing(dict, "factor", "longrope");
    return RopeSpec.of(RopeType.LONGROPE, headDim, base, f, orig)
        .withLongRopeFactors(shortF, longF)
        .withAttentionFactor(attention)
        .withMaxPositionEmbeddings(maxPos);
  }

  /** Rebuilds ntk or yarn-revised from the marker, after checking it against what HF computes. */
  private static RopeSpec fromMarker(JsonNode config, String source, int headDim, int maxPos, RopeSpec hfView) {
    String where = source + ": ";
    JsonNode node = config.get(MARKER);
    if (!node.isObject()) throw new UserError(where + MARKER + " must be an object, got " + node);
    ConfigFields m = new ConfigFields(node, where, MARKER + ".");
    String typeName = m.text("rope_type").orElseThrow(() -> new UserError(where + MARKER + ".rope_type is missing"));
    RopeType type = RopeType.fromId(typeName, where + MARKER + ".rope_type");
    UserError.require(type == RopeType.NTK || type == RopeType.YARN_REVISED,
        where + MARKER + ".rope_type must be ntk or yarn-revised, got '" + typeName + "'");
    RopeSpec spec = RopeSpec.of(type, headDim, requireNumber(m, "rope_theta", typeName), requireNumber(m, "factor", typeName),
            requireInteger(m, "original_max_position_embeddings", typeName))
        .withBetas(m.number("beta_fast").orElse(RopeSpec.DEFAULT_BETA_FAST), m.number("beta_slow").orElse(RopeSpec.DEFAULT_BETA_SLOW))
        .withAttentionFactor(m.number("attention_factor"))
        .withMaxPositionEmbeddings(maxPos)
        .validate(RopeFieldNames.hfConfig(source, MARKER));
    UserError.require(sameNumbers(spec.build(), hfView.build(), maxPos),
        where + MARKER + " says '" + typeName + "' but rope_theta/rope_scaling describe other frequencies (edited by hand?);"
            + " delete " + MARKER + " to use what transformers uses, or write the config again");
    return spec;
  }

  private static boolean sameNumbers(RopeScaling a, RopeScaling b, int maxPos) {
    for (int seqLen : new int[] {1, maxPos}) {
      if (!close(a.attentionFactor(seqLen), b.attentionFactor(seqLen))) return false;
      double[] x = a.invFreq(seqLen), y = b.invFreq(seqLen);
      for (int i = 0; i < x.length; i++) if (!close(x[i], y[i])) return false;
    }
    return true;
  }

  private static boolean close(double x, double y) {
    return Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y));
  }

  /** Writes the spec's RoPE keys into {@code config} (see the class comment for what goes where). */
  public static void write(RopeSpec spec, ObjectNode config) {
    spec.validate(RopeFieldNames.JAVA);
    ObjectNode dict = Json.object();
    ObjectNode marker = null;
    double theta = spec.base();
    int maxPos = spec.maxPositionEmbeddings();
    int L = spec.originalMaxPositionEmbeddings();
    boolean topLevelOriginal = false;
    switch (spec.type()) {
      case DEFAULT -> dict = null;
      case LINEAR -> scaled(dict, "linear", spec);
      case DYNAMIC -> {
        scaled(dict, "dynamic", spec);
        maxPos = L;
      }
      case NTK -> {
        dict = null;
        theta = ((StaticNtkRope) spec.build()).scaledBase();
        marker = marker(spec);
      }
      case YARN -> {
        UserError.require((double) maxPos / L == spec.factor(),
            "cannot write yarn: max_position_embeddings (" + maxPos + ") must equal factor x original_max_position_embeddings ("
                + spec.factor() + " x " + L + ") because some transformers versions take the YaRN factor from that ratio;"
                + " use a factor that makes it a whole number and leave the max position at its default");
        ObjectNode yarn = scaled(dict, "yarn", spec).put("beta_fast", spec.betaFast()).put("beta_slow", spec.betaSlow());
        spec.attentionFactor().ifPresent(a -> yarn.put("attention_factor", a));
      }
      case YARN_REVISED -> {
        YarnRevisedRope rope = (YarnRevisedRope) spec.build();
        scaled(dict, "longrope", spec).put("attention_factor", rope.attentionFactor(maxPos));
        putNumbers(dict, "short_factor", rope.divisors());
        putNumbers(dict, "long_factor", rope.divisors());
        marker = marker(spec);
      }
      case LLAMA3 -> scaled(dict, "llama3", spec)
          .put("low_freq_factor", spec.lowFreqFactor())
          .put("high_freq_factor", spec.highFreqFactor());
      case LONGROPE -> {
        scaled(dict, "longrope", spec).put("attention_factor", spec.build().attentionFactor(maxPos));
        putNumbers(dict, "short_factor", spec.shortFactor());
        putNumbers(dict, "long_factor", spec.longFactor());
        topLevelOriginal = true;
      }
    }
    config.put("max_position_embeddings", maxPos);
    if (config.has("rope_parameters") && config.get("rope_parameters").isObject()) {
      ObjectNode params = dict == null ? Json.object().put("rope_type", "default") : dict;
      params.put("rope_theta", theta);
      config.set("rope_parameters", params);
      config.remove("rope_scaling");
      config.remove("rope_theta");
    } else {
      config.put("rope_theta", theta);
      config.set("rope_scaling", dict == null ? NullNode.getInstance() : dict);
    }
    if (topLevelOriginal) config.put("original_max_position_embeddings", L);
    else config.remove("original_max_position_embeddings");
    if (marker != null) config.set(MARKER, marker);
    else config.remove(MARKER);
  }

  private static ObjectNode scaled(ObjectNode dict, String ropeType, RopeSpec spec) {
    return dict.put("rope_type", ropeType)
        .put("factor", spec.factor())
        .put("original_max_position_embeddings", spec.originalMaxPositionEmbeddings());
  }

  private static ObjectNode marker(RopeSpec spec) {
    ObjectNode m = Json.object()
        .put("rope_type", spec.type().id())
        .put("rope_theta", spec.base())
        .put("factor", spec.factor())
        .put("original_max_position_embeddings", spec.originalMaxPositionEmbeddings());
    if (spec.type() == RopeType.YARN_REVISED) m.put("beta_fast", spec.betaFast()).put("beta_slow", spec.betaSlow());
    spec.attentionFactor().ifPresent(a -> m.put("attention_factor", a));
    return m;
  }

  private static void putNumbers(ObjectNode dict, String key, double[] values) {
    var array = dict.putArray(key);
    for (double v : values) array.add(v);
  }
}
