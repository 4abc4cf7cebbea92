package io.cream.rope;

/**
 * How the user spelled each {@link RopeSpec} field, so one set of checks can name a command-line
 * flag ("--factor") or a config key ("config.json: rope_scaling.factor").
 *
 * @param where prefix for every message, e.g. "config.json: " (may be empty)
 */
public record RopeFieldNames(
    String where,
    String type,
    String headDim,
    String base,
    String factor,
    String maxPositionEmbeddings,
    String originalMaxPositionEmbeddings,
    String attentionFactor,
    String betaFast,
    String betaSlow,
    String lowFreqFactor,
    String highFreqFactor,
    String shortFactor,
    String longFactor) {

  /** The record's own component names, for specs built in code. */
  public static final RopeFieldNames JAVA = new RopeFieldNames("RopeSpec: ", "type", "headDim", "base", "factor",
      "maxPositionEmbeddings", "originalMaxPositionEmbeddings", "attentionFactor", "betaFast", "betaSlow",
      "lowFreqFactor", "highFreqFactor", "shortFactor", "longFactor");

  /** The flags of `cream rope`. */
  public static final RopeFieldNames CLI = new RopeFieldNames("", "--type", "--head-dim", "--base", "--factor",
      "--max-position", "--original-max", "--attention-factor", "--beta-fast", "--beta-slow", "--low-freq-factor",
      "--high-freq-factor", "--short-factor", "--long-factor");

  /** Keys of a Hugging Face config.json whose RoPE settings live in the object named {@code dict}. */
  public static RopeFieldNames hfConfig(String file, String dict) {
    String d = dict + ".";
    return new RopeFieldNames(file + ": ", d + "rope_type", "head_dim", "rope_theta", d + "factor",
        "max_position_embeddings", d + "original_max_position_embeddings", d + "attention_factor", d + "beta_fast",
        d + "beta_slow", d + "low_freq_factor", d + "high_freq_factor", d + "short_factor", d + "long_factor");
  }
}
