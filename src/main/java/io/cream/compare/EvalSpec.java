package io.cream.compare;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.eval.EvalOptions;
import io.cream.util.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One evaluation every model of the plan gets, with the same options (the same seed, so the same
 * prompts) for all.
 *
 * @param task passkey, needle, kv, lines or ppl
 * @param options the evaluation's settings, paths absolute
 * @param maxContext the longest sequence a model may run (Integer.MAX_VALUE: no limit)
 */
public record EvalSpec(String task, EvalOptions options, int maxContext) {
  /** The plan fields each task reads, besides {@code task} itself. */
  static final Map<String, Set<String>> FIELDS = Map.of(
      "passkey", Set.of("lengths", "depths", "samples", "max_new_tokens", "seed", "max_context"),
      "needle", Set.of("lengths", "depths", "samples", "max_new_tokens", "seed", "max_context", "haystack",
          "chat_template"),
      "kv", Set.of("keys", "gold", "samples", "max_new_tokens", "seed", "max_context", "kv_key"),
      "lines", Set.of("lengths", "samples", "max_new_tokens", "seed", "max_context", "chat_template"),
      "ppl", Set.of("lengths", "samples", "seed", "max_context", "data", "ppl_protocol", "ppl_window",
          "ppl_stride"));

  static final long DEFAULT_SEED = 42;

  ObjectNode toJson() {
    ObjectNode n = Json.object();
    n.put("task", task);
    Set<String> used = FIELDS.get(task);
    EvalOptions o = options;
    if (used.contains("lengths")) ints(n.putArray("lengths"), o.lengths());
    if (used.contains("depths")) o.depths().forEach(n.putArray("depths")::add);
    if (used.contains("keys")) ints(n.putArray("keys"), o.keys());
    if (used.contains("gold")) ints(n.putArray("gold"), o.goldPositions());
    n.put("samples", o.samples());
    if (used.contains("max_new_tokens")) n.put("max_new_tokens", o.maxNewTokens());
    n.put("seed", o.seed());
    if (used.contains("kv_key")) n.put("kv_key", o.kvKey().id());
    if (used.contains("chat_template")) n.put("chat_template", o.chatTemplate().id());
    if (used.contains("ppl_protocol")) n.put("ppl_protocol", o.pplProtocol().id());
    if (used.contains("haystack") && o.haystackDir() != null) n.put("haystack", o.haystackDir().toString());
    if (used.contains("data")) n.put("data", o.dataDir() == null ? null : o.dataDir().toString());
    if (used.contains("ppl_window")) n.put("ppl_window", o.pplWindow());
    if (used.contains("ppl_stride")) n.put("ppl_stride", o.pplStride());
    if (maxContext != Integer.MAX_VALUE) n.put("max_context", maxContext);
    return n;
  }

  private static void ints(com.fasterxml.jackson.databind.node.ArrayNode a, List<Integer> v) {
    v.forEach(a::add);
  }
}
