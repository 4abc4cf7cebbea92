package io.cream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.rope.RopeFieldNames;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `cream rope`: prints the inverse frequencies and attention factor of a RoPE scaling, from flags or
 * from a Hugging Face config.json. --config and the RoPE flags are exclusive (giving both is an
 * error rather than a silent merge); --seq-len and --format apply to either.
 */
@Command(
    name = "rope",
    mixinStandardHelpOptions = true,
    description = {
      "Print a RoPE scaling's inverse frequencies and attention factor.",
      "json: {\"inv_freq\": [...], \"attention_factor\": x} on one line, every number with full float64"
          + " precision."
    })
public final class RopeCommand implements Callable<Integer> {
  enum Format { json, pretty, table }

  @Spec CommandSpec spec;

  @Option(names = "--type", paramLabel = "T", description = "The scaling: none (plain RoPE; 'default' also"
      + " accepted), linear, dynamic, ntk, yarn (Hugging Face's), yarn-revised (CREAM's and PoSE's YaRN: the"
      + " paper's CREAM-YaRN), llama3 or longrope (required unless --config).")
  String type;

  @Option(names = "--factor", paramLabel = "F", description = "Extension factor f >= 1, e.g. 8 for 4K -> 32K (required unless --config or --type none).")
  Double factor;

  @Option(names = "--head-dim", paramLabel = "D", description = "Attention head dimension, even: 128 for Llama-2 (required unless --config).")
  Integer headDim;

  @Option(names = "--base", paramLabel = "B", description = "rope_theta of the pre-trained model (default: 10000).")
  Double base;

  @Option(names = "--original-max", paramLabel = "L", description = "Pre-trained context window: 4096 for Llama-2 (required unless --config or --type none).")
  Integer originalMax;

  @Option(names = "--max-position", paramLabel = "M", description = "Extended window (default: factor x original-max).")
  Integer maxPosition;

  @Option(names = "--seq-len", paramLabel = "N",
      description = "Sequence length (largest position + 1) for dynamic and longrope (default: the max position).")
  Integer seqLen;

  @Option(names = "--attention-factor", paramLabel = "A", description = "Explicit attention factor for yarn, yarn-revised and longrope (default: the type's own rule).")
  Double attentionFactor;

  @Option(names = "--beta-fast", paramLabel = "X", description = "YaRN beta_fast (default: 32).")
  Double betaFast;

  @Option(names = "--beta-slow", paramLabel = "Y", description = "YaRN beta_slow (default: 1).")
  Double betaSlow;

  @Option(names = "--low-freq-factor", paramLabel = "X", description = "llama3 low_freq_factor (default: 1).")
  Double lowFreqFactor;

  @Option(names = "--high-freq-factor", paramLabel = "Y", description = "llama3 high_freq_factor (default: 4).")
  Double highFreqFactor;

  @Option(names = "--short-factor", split = ",", paramLabel = "S", description = "longrope: short factors, comma separated, head-dim/2 of them.")
  double[] shortFactor;

  @Option(names = "--long-factor", split = ",", paramLabel = "S", description = "longrope: long factors, comma separated, head-dim/2 of them.")
  double[] longFactor;

  @Option(names = "--config", paramLabel = "FILE", description = "Read the RoPE settings from a Hugging Face config.json instead of the flags.")
  Path config;

  @Option(names = "--format", paramLabel = "FMT", defaultValue = "json", description = "json (one line), pretty or table (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() {
    RopeSpec rope = config != null ? fromConfig() : fromFlags();
    int len = seqLen != null ? seqLen : rope.maxPositionEmbeddings();
    UserError.require(len >= 1, "--seq-len must be >= 1, got " + len);
    RopeScaling scaling = rope.build();
    double[] invFreq = scaling.invFreq(len);
    double attention = scaling.attentionFactor(len);
    PrintWriter out = spec.commandLine().getOut();
    switch (format) {
      case json -> out.println(Json.compact(result(invFreq, attention)));
      case pretty -> out.println(Json.pretty(result(invFreq, attention)));
      case table -> printTable(out, rope, len, invFreq, attention);
    }
    out.flush();
    return 0;
  }

  private RopeSpec fromConfig() {
    List<String> clashing = new ArrayList<>();
    for (String flag : List.of("--type", "--factor", "--head-dim", "--base", "--original-max", "--max-position",
        "--attention-factor", "--beta-fast", "--beta-slow", "--low-freq-factor", "--high-freq-factor", "--short-factor",
        "--long-factor")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(flag)) clashing.add(flag);
    }
    UserError.require(clashing.isEmpty(), "--config and " + String.join(", ", clashing)
        + " both set the RoPE: take it from the file or from the flags, not both (--seq-len and --format work with either)");
    return RopeSpec.fromHfConfig(Json.read(config), config.toString());
  }

  private RopeSpec fromFlags() {
    UserError.require(type != null, "--type is missing; use one of: " + RopeType.allIds() + " (or --config config.json)");
    RopeType t = RopeType.fromId(type, "--type");
    UserError.require(headDim != null, "--head-dim is missing (the attention head dimension, 128 for Llama-2)");
    UserError.require(t == RopeType.DEFAULT || factor != null,
        "--factor is missing for --type " + t + " (the extension factor, e.g. 8 to go from 4K to 32K)");
    UserError.require(t == RopeType.DEFAULT || originalMax != null,
        "--original-max is missing for --type " + t + " (the pre-trained window, 4096 for Llama-2)");
    onlyFor(t, betaFast != null || betaSlow != null, "--beta-fast/--beta-slow", Set.of(RopeType.YARN, RopeType.YARN_REVISED));
    onlyFor(t, lowFreqFactor != null || highFreqFactor != null, "--low-freq-factor/--high-freq-factor", Set.of(RopeType.LLAMA3));
    onlyFor(t, shortFactor != null || longFactor != null, "--short-factor/--long-factor", Set.of(RopeType.LONGROPE));
    onlyFor(t, attentionFactor != null, "--attention-factor", Set.of(RopeType.YARN, RopeType.YARN_REVISED, RopeType.LONGROPE));

    // Plain RoPE has no window of its own to speak of; HF's LlamaConfig default is 2048.
    int window = originalMax != null ? originalMax : maxPosition != null ? maxPosition : 2048;
    RopeSpec rope = RopeSpec.of(t, headDim, base != null ? base : RopeSpec.DEFAULT_BASE, factor != null ? factor : 1.0, window)
        .withBetas(betaFast != null ? betaFast : RopeSpec.DEFAULT_BETA_FAST, betaSlow != null ? betaSlow : RopeSpec.DEFAULT_BETA_SLOW)
        .withFreqFactors(lowFreqFactor != null ? lowFreqFactor : RopeSpec.DEFAULT_LOW_FREQ_FACTOR,
            highFreqFactor != null ? highFreqFactor : RopeSpec.DEFAULT_HIGH_FREQ_FACTOR)
        .withLongRopeFactors(shortFactor, longFactor);
    if (maxPosition != null) rope = rope.withMaxPositionEmbeddings(maxPosition);
    if (attentionFactor != null) rope = rope.withAttentionFactor(attentionFactor);
    return rope.validate(RopeFieldNames.CLI);
  }

  private static void onlyFor(RopeType t, boolean given, String flags, Set<RopeType> types) {
    UserError.require(!given || types.contains(t), flags + " does not apply to --type " + t + "; it is for "
        + String.join(" and ", types.stream().map(RopeType::id).sorted().toList()));
  }

  private static ObjectNode result(double[] invFreq, double attention) {
    ObjectNode node = Json.object();
    var array = node.putArray("inv_freq");
    for (double v : invFreq) array.add(v);
    node.put("attention_factor", attention);
    return node;
  }

  private static void printTable(PrintWriter out, RopeSpec rope, int len, double[] invFreq, double attention) {
    double[] theta = RopeScaling.defaultInvFreq(rope.headDim(), rope.base());
    out.printf("# %s: head_dim %d, base %s, factor %s, original window %d, seq_len %d, attention_factor %s%n", rope.type(),
        rope.headDim(), rope.base(), rope.factor(), rope.originalMaxPositionEmbeddings(), len, attention);
    out.printf("%4s  %-24s  %-24s  %-12s  %s%n", "i", "theta_i", "inv_freq", "theta/inv", "wavelength");
    for (int i = 0; i < invFreq.length; i++)
      out.printf("%4d  %-24s  %-24s  %-12.6f  %.4f%n", i, theta[i], invFreq[i], theta[i] / invFreq[i], 2 * Math.PI / invFreq[i]);
  }
}
