package io.cream.eval;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Settings of one evaluation run. Each task reads the fields it needs and ignores the rest.
 *
 * @param lengths target prompt lengths in tokens of the model's tokenizer (passkey, needle, lines,
 *     ppl); empty = the task's default grid
 * @param depths where the passkey or needle goes, in percent (0 = start, 100 = end); empty = the
 *     task's default
 * @param keys kv: numbers of key-value pairs in the JSON object
 * @param goldPositions kv: indices of the asked pair; empty = {@link GoldPositions#defaults}
 * @param samples prompts per cell (ppl: documents per length)
 * @param seed everything random derives from it; a case's inputs depend only on (seed, task, cell,
 *     sample)
 * @param minNewTokens EOS is held off until this many new tokens exist; -1 = the task's default
 * @param maxNewTokens generation budget; 0 = the task's default
 * @param chatTemplate lines and needle: how the message becomes the model input (default vicuna)
 * @param kvKey kv: how keys and values are drawn (default uuid)
 * @param haystackDir needle: folder of .txt / .txt.gz files; null = the books of 'cream fetch
 *     corpus'
 * @param dataDir ppl: folder of .txt / .txt.gz documents
 * @param pplProtocol ppl: how perplexity is measured (default reference: one pass per length)
 * @param pplWindow ppl (long, strided): window in tokens; 0 = the protocol's default
 * @param pplStride ppl (long, strided): how far the window moves; 0 = the protocol's default
 * @param ropeOverride the RoPE scaling the model was run with, if overridden (recorded only)
 */
public record EvalOptions(
    List<Integer> lengths,
    List<Double> depths,
    List<Integer> keys,
    List<Integer> goldPositions,
    int samples,
    long seed,
    int minNewTokens,
    int maxNewTokens,
    ChatTemplate chatTemplate,
    KvKeyFormat kvKey,
    @JsonSerialize(using = ToStringSerializer.class) Path haystackDir,
    @JsonSerialize(using = ToStringSerializer.class) Path dataDir,
    PplProtocol pplProtocol,
    int pplWindow,
    int pplStride,
    String ropeOverride) {

  public EvalOptions {
    lengths = List.copyOf(lengths == null ? List.of() : lengths);
    depths = List.copyOf(depths == null ? List.of() : depths);
    keys = List.copyOf(keys == null ? List.of() : keys);
    goldPositions = List.copyOf(goldPositions == null ? List.of() : goldPositions);
    // Results files written before these fields existed read as the defaults.
    if (chatTemplate == null) chatTemplate = ChatTemplate.VICUNA;
    if (kvKey == null) kvKey = KvKeyFormat.UUID;
    if (pplProtocol == null) pplProtocol = PplProtocol.REFERENCE;
  }

  /** The reference's defaults: every grid left to its task, 5 samples a cell; the CLI overrides. */
  public static EvalOptions defaults() {
    return new EvalOptions(List.of(), List.of(), List.of(75), List.of(), 5, 42, -1, 0,
        ChatTemplate.VICUNA, KvKeyFormat.UUID, null, null, PplProtocol.REFERENCE, 0, 0, null);
  }

  public EvalOptions withLengths(List<Integer> v) {
    return edit(e -> e.lengths = v);
  }

  public EvalOptions withDepths(List<Double> v) {
    return edit(e -> e.depths = v);
  }

  public EvalOptions withKeys(List<Integer> v) {
    return edit(e -> e.keys = v);
  }

  public EvalOptions withGoldPositions(List<Integer> v) {
    return edit(e -> e.goldPositions = v);
  }

  public EvalOptions withSamples(int v) {
    return edit(e -> e.samples = v);
  }

  public EvalOptions withSeed(long v) {
    return edit(e -> e.seed = v);
  }

  public EvalOptions withMinNewTokens(int v) {
    return edit(e -> e.minNewTokens = v);
  }

  public EvalOptions withMaxNewTokens(int v) {
    return edit(e -> e.maxNewTokens = v);
  }

  public EvalOptions withChatTemplate(ChatTemplate v) {
    return edit(e -> e.chatTemplate = v);
  }

  public EvalOptions withKvKey(KvKeyFormat v) {
    return edit(e -> e.kvKey = v);
  }

  public EvalOptions withHaystackDir(Path v) {
    return edit(e -> e.haystackDir = v);
  }

  public EvalOptions withDataDir(Path v) {
    return edit(e -> e.dataDir = v);
  }

  public EvalOptions withPplProtocol(PplProtocol v) {
    return edit(e -> e.pplProtocol = v);
  }

  public EvalOptions withPplWindow(int window, int stride) {
    return edit(e -> {
      e.pplWindow = window;
      e.pplStride = stride;
    });
  }

  public EvalOptions withRopeOverride(String v) {
    return edit(e -> e.ropeOverride = v);
  }

  /** Checks the settings every task shares; each task checks its own on top. */
  public void validate() {
    UserError.require(samples >= 1, "--samples must be at least 1 (got " + samples + ")");
    UserError.require(maxNewTokens >= 0, "--max-new-tokens must be positive, or 0 for the task's default (got " + maxNewTokens + ")");
    UserError.require(minNewTokens >= -1, "--min-new-tokens must be 0 or more, or -1 for the task's default (got " + minNewTokens + ")");
    UserError.require(minNewTokens <= 0 || maxNewTokens == 0 || minNewTokens <= maxNewTokens,
        "--min-new-tokens (" + minNewTokens + ") must not exceed --max-new-tokens (" + maxNewTokens + ")");
    UserError.require(pplWindow >= 0 && pplStride >= 0, "--ppl-window and --ppl-stride must be positive, or 0 for their defaults");
    UserError.require(pplStride == 0 || pplWindow == 0 || pplStride <= pplWindow,
        "--ppl-stride (" + pplStride + ") must not exceed --ppl-window (" + pplWindow + ")");
    UserError.require(pplProtocol != PplProtocol.REFERENCE || (pplWindow == 0 && pplStride == 0),
        "--ppl-window and --ppl-stride apply to --ppl-protocol long or strided (reference reads each length in one pass)");
    for (int length : lengths) UserError.require(length >= 2, "every length must be at least 2 tokens (got " + length + ")");
    for (double depth : depths) {
      UserError.require(depth >= 0 && depth <= 100, "depths are percentages in 0..100 (got " + depth + ")");
    }
    for (int k : keys) UserError.require(k >= 1, "--keys values must be at least 1 (got " + k + ")");
  }

  /** A copy with some fields changed: the with-methods above, one line each. */
  private EvalOptions edit(Consumer<Editor> change) {
    Editor e = new Editor(this);
    change.accept(e);
    return new EvalOptions(e.lengths, e.depths, e.keys, e.goldPositions, e.samples, e.seed, e.minNewTokens,
        e.maxNewTokens, e.chatTemplate, e.kvKey, e.haystackDir, e.dataDir, e.pplProtocol, e.pplWindow, e.pplStride,
        e.ropeOverride);
  }

  /** The fields as mutable variables, for {@link #edit}. */
  private static final class Editor {
    List<Integer> lengths;
    List<Double> depths;
    List<Integer> keys;
    List<Integer> goldPositions;
    int samples;
    long seed;
    int minNewTokens;
    int maxNewTokens;
    ChatTemplate chatTemplate;
    KvKeyFormat kvKey;
    Path haystackDir;
    Path dataDir;
    PplProtocol pplProtocol;
    int pplWindow;
    int pplStride;
    String ropeOverride;

    Editor(EvalOptions o) {
      lengths = o.lengths;
      depths = o.depths;
      keys = o.keys;
      goldPositions = o.goldPositions;
      samples = o.samples;
      seed = o.seed;
      minNewTokens = o.minNewTokens;
      maxNewTokens = o.maxNewTokens;
      chatTemplate = o.chatTemplate;
      kvKey = o.kvKey;
      haystackDir = o.haystackDir;
      dataDir = o.dataDir;
      pplProtocol = o.pplProtocol;
      pplWindow = o.pplWindow;
      pplStride = o.pplStride;
      ropeOverride = o.ropeOverride;
    }
  }
}
