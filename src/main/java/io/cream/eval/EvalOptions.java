package io.cream.eval;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.List;

/**
 * Settings of one evaluation run. Each task reads the fields it needs and ignores the rest.
 *
 * @param lengths target prompt lengths in tokens of the model's tokenizer (passkey, needle, lines,
 *     ppl)
 * @param depths where the passkey or needle goes, in percent of the filler (0 = start, 100 = end)
 * @param keys kv: numbers of key-value pairs in the JSON object
 * @param goldPositions kv: indices of the asked pair; empty = {@link GoldPositions#defaults}
 * @param samples prompts per cell (ppl: documents per length)
 * @param seed everything random derives from it; a case's inputs depend only on (seed, task, cell,
 *     sample)
 * @param maxNewTokens generation budget; 0 = the task's default
 * @param haystackDir needle: folder of .txt / .txt.gz files; null = the passkey filler repeated
 * @param dataDir ppl: folder of .txt / .txt.gz documents
 * @param pplWindow ppl: sliding-window size; 0 = whole sequence, or the model's context limit for
 *     lengths beyond it
 * @param pplStride ppl: how far the window moves; 0 = half the window
 * @param ropeOverride the RoPE scaling the model was run with, if overridden (recorded only)
 */
public record EvalOptions(
    List<Integer> lengths,
    List<Double> depths,
    List<Integer> keys,
    List<Integer> goldPositions,
    int samples,
    long seed,
    int maxNewTokens,
    @JsonSerialize(using = ToStringSerializer.class) Path haystackDir,
    @JsonSerialize(using = ToStringSerializer.class) Path dataDir,
    int pplWindow,
    int pplStride,
    String ropeOverride) {

  public EvalOptions {
    lengths = List.copyOf(lengths == null ? List.of() : lengths);
    depths = List.copyOf(depths == null ? List.of() : depths);
    keys = List.copyOf(keys == null ? List.of() : keys);
    goldPositions = List.copyOf(goldPositions == null ? List.of() : goldPositions);
  }

  /** Small defaults that run in minutes on a 7B model; the CLI overrides them. */
  public static EvalOptions defaults() {
    return new EvalOptions(
        List.of(1024, 2048, 4096), List.of(0.0, 25.0, 50.0, 75.0, 100.0), List.of(75), List.of(),
        5, 42, 0, null, null, 0, 0, null);
  }

  public EvalOptions withLengths(List<Integer> v) {
    return new EvalOptions(v, depths, keys, goldPositions, samples, seed, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withDepths(List<Double> v) {
    return new EvalOptions(lengths, v, keys, goldPositions, samples, seed, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withKeys(List<Integer> v) {
    return new EvalOptions(lengths, depths, v, goldPositions, samples, seed, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withGoldPositions(List<Integer> v) {
    return new EvalOptions(lengths, depths, keys, v, samples, seed, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withSamples(int v) {
    return new EvalOptions(lengths, depths, keys, goldPositions, v, seed, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withSeed(long v) {
    return new EvalOptions(lengths, depths, keys, goldPositions, samples, v, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withMaxNewTokens(int v) {
    return new EvalOptions(lengths, depths, keys, goldPositions, samples, seed, v, haystackDir, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withHaystackDir(Path v) {
    return new EvalOptions(lengths, depths, keys, goldPositions, samples, seed, maxNewTokens, v, dataDir, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withDataDir(Path v) {
    return new EvalOptions(lengths, depths, keys, goldPositions, samples, seed, maxNewTokens, haystackDir, v, pplWindow, pplStride, ropeOverride);
  }

  public EvalOptions withPplWindow(int window, int stride) {
    return new EvalOptions(lengths, depths, keys, goldPositions, samples, seed, maxNewTokens, haystackDir, dataDir, window, stride, ropeOverride);
  }

  public EvalOptions withRopeOverride(String v) {
    return new EvalOptions(lengths, depths, keys, goldPositions, samples, seed, maxNewTokens, haystackDir, dataDir, pplWindow, pplStride, v);
  }

  /** Checks the settings every task shares; each task checks its own on top. */
  public void validate() {
    UserError.require(samples >= 1, "--samples must be at least 1 (got " + samples + ")");
    UserError.require(maxNewTokens >= 0, "--max-new-tokens must be positive, or 0 for the task's default (got " + maxNewTokens + ")");
    UserError.require(pplWindow >= 0 && pplStride >= 0, "--ppl-window and --ppl-stride must be positive, or 0 for their defaults");
    UserError.require(pplStride == 0 || pplWindow == 0 || pplStride <= pplWindow,
        "--ppl-stride (" + pplStride + ") must not exceed --ppl-window (" + pplWindow + ")");
    for (int length : lengths) UserError.require(length >= 2, "every length must be at least 2 tokens (got " + length + ")");
    for (double depth : depths) {
      UserError.require(depth >= 0 && depth <= 100, "depths are percentages in 0..100 (got " + depth + ")");
    }
    for (int k : keys) UserError.require(k >= 1, "--keys values must be at least 1 (got " + k + ")");
  }
}
