package io.cream.model;

import io.cream.backend.Backend;
import io.cream.util.Bytes;
import io.cream.util.UserError;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The memory a command will allocate, computed from config.json before anything is allocated, so
 * that a model that cannot fit is refused with one line instead of an OutOfMemoryError minutes
 * later. Bytes by part (weights, gradients, AdamW moments, activations, logits, KV cache), counted
 * the way {@link TrainingPass}, {@link LayerActivations} and {@link InferenceSession} allocate
 * (float32, bf16 for matmul inputs where the backend stores them so), in long arithmetic that
 * refuses overflow by naming the config fields. Workspaces and allocator slack are left out, so the
 * estimate errs low: it refuses only what surely cannot fit. (Issue 12's memory plan grows from
 * here.)
 */
public final class MemoryEstimate {
  /** The parts no option of a run can shrink. */
  private static final List<String> MODEL_STATE = List.of("weights", "gradients", "AdamW moments");
  private final LlamaConfig c;
  private final String what;
  private final Map<String, Long> parts = new LinkedHashMap<>();
  private String largestName = "";
  private long largest;

  private MemoryEstimate(LlamaConfig c, String what) {
    this.c = c;
    this.what = what;
  }

  /**
   * A training step: weights, gradients and (with {@code optimizer}) two AdamW moments, all
   * float32, plus the activations of {@code batch × seqLen} tokens and their logits.
   */
  public static MemoryEstimate training(LlamaConfig c, int batch, int seqLen, boolean recompute,
      boolean optimizer, int matmulInputBytes) {
    MemoryEstimate e = new MemoryEstimate(c, "training at batch " + batch + " × " + seqLen + " tokens");
    return e.guard(() -> {
      long p = parameters(c);
      e.add("weights", m(p, 4));
      e.add("gradients", m(p, 4));
      if (optimizer) e.add("AdamW moments", m(p, 8));
      long rows = m(batch, seqLen);
      int hidden = c.hiddenSize(), q = c.queryDim(), kv = c.kvDim(), ffn = c.intermediateSize();
      // One block's saved tensors per row (LayerActivations): float32 ones, then matmul inputs.
      long f32 = 2L * hidden + q + 2L * kv + c.numAttentionHeads() + 2 + 2L * ffn;
      long mmIn = 2L * hidden + q + ffn;
      long block = 4 * f32 + (long) matmulInputBytes * mmIn;
      long layers = recompute ? a(m(c.numHiddenLayers(), 4L * hidden), block)
          : m(c.numHiddenLayers(), block);
      // The backward's scratch (dx, dn, dAtt, dq, dk, dv, dAct; dGate and dUp) and the head's x, nf, rstd.
      long scratch = 4 * (2L * hidden + 2L * q + 2L * kv + ffn) + 2L * ffn * matmulInputBytes
          + 4 * (hidden + 1) + (long) matmulInputBytes * hidden;
      e.add("activations", m(rows, a(layers, scratch)));
      e.add("logits", m(m(rows, c.vocabSize()), 4));
      e.tensor("the logits (batch × window × vocab_size)", m(rows, c.vocabSize()));
      e.tensor("one MLP activation (batch × window × intermediate_size)", m(rows, ffn));
      return e;
    });
  }

  /** The weights alone, float32 (what loading a model allocates). */
  public static MemoryEstimate weights(LlamaConfig c) {
    MemoryEstimate e = new MemoryEstimate(c, "loading the model");
    return e.guard(() -> {
      e.add("weights", m(parameters(c), 4));
      return e;
    });
  }

  /**
   * An inference session over {@code maxLen} tokens fed {@code chunk} at a time: the KV cache and one
   * chunk's activations and logits (the weights are already in place).
   */
  public static MemoryEstimate session(LlamaConfig c, int maxLen, int chunk) {
    MemoryEstimate e = new MemoryEstimate(c, "a " + String.format("%,d", maxLen) + "-token sequence");
    return e.guard(() -> {
      e.add("KV cache", m(m(2L * c.numHiddenLayers(), m(maxLen, c.kvDim())), 4));
      e.tensor("one layer's KV cache (tokens × num_key_value_heads × head_dim)", m(maxLen, c.kvDim()));
      long perRow = 3L * c.hiddenSize() + 1 + 2L * c.queryDim() + 2L * c.kvDim()
          + c.numAttentionHeads() + 3L * c.intermediateSize() + c.vocabSize();
      e.add("activations", m(m(Math.min(chunk, maxLen), perRow), 4));
      return e;
    });
  }

  /**
   * The number of parameters, from the config alone (no per-tensor list: a config with 10^9 layers
   * must not build one). Throws ArithmeticException past Long.MAX_VALUE.
   */
  static long parameters(LlamaConfig c) {
    long hidden = c.hiddenSize(), q = c.queryDim(), kv = c.kvDim(), ffn = c.intermediateSize();
    long perLayer = a(a(m(q, 2 * hidden), m(kv, 2 * hidden)), a(m(ffn, 3 * hidden), 2 * hidden));
    if (c.attentionBias()) perLayer = a(perLayer, q + 2 * kv);
    long embeddings = m(m(c.vocabSize(), hidden), c.tieWordEmbeddings() ? 1 : 2);
    return a(a(m(c.numHiddenLayers(), perLayer), embeddings), hidden);
  }

  public long total() {
    long sum = 0;
    for (long v : parts.values()) sum = Math.addExact(sum, v);
    return sum;
  }

  /** Bytes by part, in the order added. */
  public Map<String, Long> parts() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(parts));
  }

  /**
   * Refuses, with one line naming the parts, the config's sizes and the memory free on the backend,
   * what cannot fit there; {@code fix} says what to change.
   */
  public void requireFits(Backend b, String fix) {
    if (largest > b.maxTensorElements()) {
      throw new UserError(what + " needs " + String.format("%,d", largest) + " values in " + largestName
          + ", more than one tensor on " + b.name() + " can hold (" + String.format("%,d", b.maxTensorElements())
          + "); " + fix);
    }
    long need = total();
    long free = b.memoryAvailable();
    if (need > free) {
      System.gc(); // the heap's free space counts garbage as used until it is collected
      free = b.memoryAvailable();
    }
    if (need > free) {
      long model = 0;
      for (String part : MODEL_STATE) model += parts.getOrDefault(part, 0L);
      throw new UserError(what + " needs " + Bytes.format(need) + " (" + breakdown() + ") for "
          + shape() + ", but only " + Bytes.format(Math.max(0, free)) + " is free on " + b.name()
          + (b.name().equals("cpu") ? " (the Java heap; CREAM_MAX_RAM_PERCENT raises it)" : "")
          + "; " + (model > free ? "the model alone does not fit: use a machine with more memory" : fix));
    }
  }

  private String breakdown() {
    StringJoiner j = new StringJoiner(", ");
    parts.forEach((k, v) -> j.add(k + " " + Bytes.format(v)));
    return j.toString();
  }

  /** The model's size in config.json's own words. */
  String shape() {
    String params;
    try {
      params = String.format("%,d parameters", parameters(c));
    } catch (ArithmeticException e) {
      params = "more than 2^63 parameters";
    }
    return String.format("%s (config.json: num_hidden_layers %,d, hidden_size %,d, intermediate_size %,d,"
        + " vocab_size %,d)", params, c.numHiddenLayers(), c.hiddenSize(), c.intermediateSize(), c.vocabSize());
  }

  private void add(String part, long bytes) {
    parts.put(part, bytes);
    total(); // refuses a sum past Long.MAX_VALUE early
  }

  private void tensor(String name, long elements) {
    if (elements > largest) {
      largest = elements;
      largestName = name;
    }
  }

  private MemoryEstimate guard(java.util.function.Supplier<MemoryEstimate> body) {
    try {
      return body.get();
    } catch (ArithmeticException e) {
      throw new UserError(what + " needs more than 2^63 bytes for " + shape() + "; check config.json");
    }
  }

  private static long m(long x, long y) {
    return Math.multiplyExact(x, y);
  }

  private static long a(long x, long y) {
    return Math.addExact(x, y);
  }
}
