package io.cream.rope;

import io.cream.util.UserError;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The RoPE scaling methods this project knows, by the names used on the command line and in files.
 * Plain RoPE is "none" on every command line (train, eval, generate, score, rope) and "default" in
 * Hugging Face files; both names are accepted everywhere.
 */
public enum RopeType {
  /** Plain RoPE: θ_i = base^(−2i/d). */
  DEFAULT("default", true),
  /** Position Interpolation: every frequency divided by the factor. */
  LINEAR("linear", true),
  /** HF "dynamic" NTK: the base grows with the sequence length beyond the pre-trained window. */
  DYNAMIC("dynamic", true),
  /** Static NTK-aware scaling (CREAM's "ntk"): one larger base; not an HF rope_type. */
  NTK("ntk", false),
  /** YaRN as Hugging Face computes it (frequency blend inside the ramp band). */
  YARN("yarn", true),
  /** YaRN as CREAM's and PoSE's code compute it (wavelength blend); not an HF rope_type. */
  YARN_REVISED("yarn-revised", false),
  /** Llama 3.1's wavelength-banded interpolation. */
  LLAMA3("llama3", true),
  /** LongRoPE: per-frequency rescale factors, short and long sets. */
  LONGROPE("longrope", true);

  private final String id;
  private final boolean huggingFace;

  RopeType(String id, boolean huggingFace) {
    this.id = id;
    this.huggingFace = huggingFace;
  }

  /** The name used by `--type`, by {@link RopeScaling#type()} and (for HF types) by rope_type. */
  public String id() {
    return id;
  }

  /** Whether Hugging Face transformers has a rope_type of this name. */
  public boolean isHuggingFace() {
    return huggingFace;
  }

  /** The command-line name: "none" for plain RoPE, else the id. */
  public String cliName() {
    return this == DEFAULT ? "none" : id;
  }

  /** Every command-line name, comma separated, for error messages and help. */
  public static String allIds() {
    return Arrays.stream(values()).map(RopeType::cliName).collect(Collectors.joining(", "));
  }

  /** The type with this name ("none" and "default" both name plain RoPE); else a UserError listing the valid ones. */
  public static RopeType fromId(String id, String where) {
    if ("none".equals(id)) return DEFAULT;
    for (RopeType t : values()) if (t.id.equals(id)) return t;
    throw new UserError(where + ": unknown RoPE type '" + id + "'; use one of: " + allIds());
  }

  @Override
  public String toString() {
    return id;
  }
}
