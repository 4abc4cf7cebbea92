package io.cream.cli;

import io.cream.model.LlamaConfig;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.UserError;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The `--rope` flags shared by generate, score and eval: run a checkpoint with another RoPE
 * scaling than its config.json says (e.g. a 4K model with linear interpolation at 8×).
 */
public final class RopeOverride {
  @Option(names = "--rope", paramLabel = "TYPE",
      description = "Override the checkpoint's RoPE scaling: none (plain RoPE; 'default' also accepted),"
          + " linear, dynamic, ntk, yarn (Hugging Face's), yarn-revised (the paper's CREAM-YaRN) or llama3"
          + " (default: the checkpoint's config.json).")
  String type;

  @Option(names = "--rope-factor", paramLabel = "F", description = "Factor for --rope (default: 8).")
  double factor = 8;

  @Option(names = "--original-max", paramLabel = "L",
      description = "Pre-trained window for --rope (default: the checkpoint's max_position_embeddings).")
  Integer originalMax;

  /** The override for this model, or null when --rope was not given. */
  public RopeSpec spec(Path modelDir) {
    if (type == null) return null;
    LlamaConfig c = LlamaConfig.read(modelDir.resolve("config.json"));
    int orig = originalMax != null ? originalMax : c.maxPositionEmbeddings();
    UserError.require(factor >= 1, "--rope-factor must be ≥ 1, got " + factor);
    RopeType t = RopeType.fromId(type, "--rope");
    if (t == RopeType.DEFAULT) return RopeSpec.defaults(c.headDim(), c.ropeTheta(), orig);
    return RopeSpec.of(t, c.headDim(), c.ropeTheta(), factor, orig);
  }

  /** A short description for results files, or null. */
  public String describe() {
    if (type == null) return null;
    RopeType t = RopeType.fromId(type, "--rope");
    return t == RopeType.DEFAULT ? t.cliName() : t.cliName() + "×" + factor;
  }
}
