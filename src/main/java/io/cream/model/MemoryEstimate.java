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
 * refuses overflow by naming the config fields. For inference, workspaces and allocator slack are
 * left out, so the estimate errs low: it refuses only what surely cannot fit. {@link
 * #training(LlamaConfig, TrainingSetup)} counts a training step on the device and in host memory,
 * temporaries and the allocator's rounding included (the memory plan of {@code cream train
 * --plan}, {@code io.cream.train.MemoryPlan}).
 */
public final class MemoryEstimate {
  /** The parts no option of a run can shrink. */
  private static final List<String> MODEL_STATE = List.of("weights", "master weights", "gradients", "AdamW moments");
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
   * A training step with fp32 weights, gradients and (with {@code optimizer}) AdamW moments on the
   * device, plus the activations of {@code batch × seqLen} tokens (matmul inputs of
   * {@code matmulInputBytes} each), a logits chunk and the largest op's temporaries: what
   * {@code cream bench train} allocates.
   */
  public static MemoryEstimate training(LlamaConfig c, int batch, int seqLen, boolean recompute,
      boolean optimizer, int matmulInputBytes) {
    return training(c, new TrainingSetup(batch, seqLen, recompute, matmulInputBytes, 4,
        optimizer ? OptimizerPlace.DEVICE : OptimizerPlace.NONE,
        TrainingPass.logitsChunkRows(batch * seqLen, c.vocabSize()))).device();
  }

  /** Where the fp32 master weights and AdamW moments live. */
  public enum OptimizerPlace {
    /** No optimizer state (a benchmark of the passes alone). */
    NONE,
    /** On the device, beside the weights and gradients. */
    DEVICE,
    /** In host memory ({@code --offload optimizer}): the device keeps weights and gradients. */
    HOST
  }

  /**
   * What a training run keeps where.
   *
   * @param activationBytes bytes per element of a {@link io.cream.backend.Backend#matmulInput}
   * @param weightBytes bytes per element of a matrix weight the passes read: 2 for bf16 copies
   *     (then fp32 master copies live with the optimizer), 4 when the passes read the fp32 masters
   * @param logitsRows rows of the logits chunk the cross-entropy works on at once
   * @param libraryBytes device memory the libraries take beside the tensors (cuBLAS's and
   *     cuDNN's workspaces on a GPU: {@link #LIBRARIES}; 0 for the CPU's heap)
   */
  public record TrainingSetup(int batch, int seqLen, boolean recompute, int activationBytes,
      int weightBytes, OptimizerPlace optimizer, int logitsRows, long libraryBytes) {
    /** A setup on a GPU: {@link #LIBRARIES} for the libraries. */
    public TrainingSetup(int batch, int seqLen, boolean recompute, int activationBytes, int weightBytes,
        OptimizerPlace optimizer, int logitsRows) {
      this(batch, seqLen, recompute, activationBytes, weightBytes, optimizer, logitsRows, LIBRARIES);
    }
  }

  /** What a GPU's libraries (cuBLAS, cuDNN) may allocate beside the tensors: 256 MiB. */
  public static final long LIBRARIES = 256L << 20;

  /** A training step's memory on the device and in host memory outside the Java heap. */
  public record Training(MemoryEstimate device, MemoryEstimate host) {}

  /**
   * A training step as {@link TrainingPass}, {@link LayerActivations} and the trainer's optimizer
   * state allocate it, each tensor rounded up as the GPU's caching allocator rounds blocks (512
   * bytes below 1 MiB, 2 MiB above). Device parts: weights (what the passes read), master
   * weights (fp32, when the passes read bf16 copies and the optimizer is on the device),
   * gradients (fp32), AdamW moments, activations (saved per block, the backward's scratch, RoPE
   * tables), logits (one chunk), workspace (the largest op's temporaries: attention's bf16 copies
   * and cuDNN's buffers, the products' bf16 operands, plus the libraries' own). Host parts
   * (with the optimizer in host memory): master weights, AdamW moments and four transfer buffers
   * of the largest parameter. Weights loaded from disk, and checkpoints and models being saved,
   * pass through the Java heap one tensor at a time (at most the largest parameter in fp32) and
   * are not counted.
   */
  public static Training training(LlamaConfig c, TrainingSetup s) {
    String what = "training at batch " + s.batch() + " × " + s.seqLen() + " tokens";
    MemoryEstimate dev = new MemoryEstimate(c, what);
    MemoryEstimate host = new MemoryEstimate(c, what);
    dev.guard(() -> {
      long p = parameters(c);
      long hidden = c.hiddenSize(), q = c.queryDim(), kv = c.kvDim(), ffn = c.intermediateSize();
      long vocab = c.vocabSize(), layers = c.numHiddenLayers(), heads = c.numAttentionHeads();
      int wb = s.weightBytes(), ab = s.activationBytes();
      boolean copies = wb < 4;
      boolean onDevice = s.optimizer() == OptimizerPlace.DEVICE;
      boolean offload = s.optimizer() == OptimizerPlace.HOST;
      // Parameters: matrices (q, k, v, o, gate, up, down per layer; an untied lm_head) and the rest.
      long[][] matrices = {{q * hidden, 1}, {kv * hidden, 2}, {hidden * q, 1}, {ffn * hidden, 3}}; // {size, count}
      long[][] vectors = {{hidden, 2}, {c.attentionBias() ? q : 0, 1}, {c.attentionBias() ? kv : 0, 2}};
      long matrixBytes4 = 0, matrixBytesW = 0, vectorBytes = 0;
      for (long[] t : matrices) {
        matrixBytes4 = a(matrixBytes4, m(m(layers, t[1]), block(m(t[0], 4))));
        matrixBytesW = a(matrixBytesW, m(m(layers, t[1]), block(m(t[0], wb))));
      }
      for (long[] t : vectors) if (t[0] > 0) vectorBytes = a(vectorBytes, m(m(layers, t[1]), block(m(t[0], 4))));
      long table = block(m(m(vocab, hidden), 4));
      long others = a(a(vectorBytes, table), block(m(hidden, 4))); // norms, biases, embedding, final norm
      if (!c.tieWordEmbeddings()) {
        matrixBytes4 = a(matrixBytes4, table);
        matrixBytesW = a(matrixBytesW, block(m(m(vocab, hidden), wb)));
      }
      long fp32 = a(matrixBytes4, others);
      dev.add("weights", a(copies ? matrixBytesW : matrixBytes4, others));
      if (copies && onDevice) dev.add("master weights", matrixBytes4);
      dev.add("gradients", fp32);
      if (onDevice) dev.add("AdamW moments", m(fp32, 2));
      if (offload) {
        host.add("master weights", m(p, 4));
        host.add("AdamW moments", m(p, 8));
        long largest = Math.max(Math.max(q * hidden, kv * hidden), Math.max(ffn * hidden, vocab * hidden));
        host.add("transfer buffers", m(largest, 16));
      }
      long rows = m(s.batch(), s.seqLen());
      // One block's saved tensors (LayerActivations): x, n1, rstd1, q, k, v, att, lse, h, n2, rstd2, gate, up, act.
      long[] blockF32 = {hidden, 1, q, kv, kv, heads, hidden, 1, ffn, ffn};
      long[] blockMm = {hidden, q, hidden, ffn};
      long block = a(tensors(rows, blockF32, 4), tensors(rows, blockMm, ab));
      long input = block(m(m(rows, hidden), 4));
      long saved = s.recompute() ? a(m(layers, input), block - input) : m(layers, block);
      // The head (x, nf, rstdf) and the backward's scratch (dx, dn, dAtt, dq, dk, dv, dAct; dGate, dUp).
      long head = a(tensors(rows, new long[] {hidden, 1}, 4), tensors(rows, new long[] {hidden}, ab));
      long scratch = a(tensors(rows, new long[] {hidden, hidden, q, q, kv, kv, ffn}, 4),
          tensors(rows, new long[] {ffn, ffn}, c.mlpBias() ? 4 : ab));
      long rope = m(block(m(m(rows, c.headDim() / 2), 4)), 2);
      dev.add("activations", a(a(saved, head), a(scratch, rope)));
      long chunk = Math.min(s.logitsRows(), rows);
      dev.add("logits", block(m(m(chunk, vocab), 4)));
      dev.add("workspace", a(workspace(c, rows, chunk, s), s.libraryBytes()));
      dev.tensor("the logits chunk (rows × vocab_size)", m(chunk, vocab));
      dev.tensor("one MLP activation (batch × window × intermediate_size)", m(rows, ffn));
      dev.tensor("the embedding (vocab_size × hidden_size)", m(vocab, hidden));
      return dev;
    });
    return new Training(dev, host);
  }

  /**
   * The largest set of temporaries one op holds beside the step's tensors. With bf16 operands:
   * cuDNN's attention backward (q, k, v, dO in bf16, dq accumulated in fp32, dq, dk, dv in bf16,
   * two statistics per head), or a product's bf16 copy of an fp32 dy (dx, dq: rows × max(hidden,
   * q); the logits chunk) and of an fp32 weight (a tied lm_head). In fp32: the attention
   * backward's per-head statistics.
   */
  private static long workspace(LlamaConfig c, long rows, long chunk, TrainingSetup s) {
    long hidden = c.hiddenSize(), q = c.queryDim(), kv = c.kvDim(), heads = c.numAttentionHeads();
    if (s.activationBytes() >= 4) return m(rows, m(heads, 8));
    long attention = a(tensors(rows, new long[] {q, kv, kv, q, q, kv, kv}, 2),
        tensors(rows, new long[] {heads, heads, q}, 4));
    long dy = Math.max(block(m(m(rows, Math.max(hidden, q)), 2)), block(m(m(chunk, c.vocabSize()), 2)));
    long widest = Math.max(Math.max(c.vocabSize(), c.intermediateSize()), q);
    long weight = s.weightBytes() >= 4 || c.tieWordEmbeddings() ? block(m(m(widest, hidden), 2)) : 0;
    return Math.max(attention, a(dy, weight));
  }

  /** Σ over cols of one rows × col tensor of {@code bytes} per element, each rounded to a block. */
  private static long tensors(long rows, long[] cols, long bytes) {
    long sum = 0;
    for (long col : cols) sum = a(sum, block(m(m(rows, col), bytes)));
    return sum;
  }

  /** A tensor's bytes as the GPU's caching allocator rounds them (512 B below 1 MiB, 2 MiB above). */
  static long block(long bytes) {
    long step = bytes <= (1L << 20) ? 512 : 2L << 20;
    return m(Math.max(1, (bytes + step - 1) / step), step);
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
      // One block's LayerActivations (x, n1, h, n2; two rstd; q, att; k, v; lse; gate, up, act)
      // and the logits.
      long perRow = 4L * c.hiddenSize() + 2 + 2L * c.queryDim() + 2L * c.kvDim()
          + c.numAttentionHeads() + 3L * c.intermediateSize() + c.vocabSize();
      e.add("activations", m(m(Math.min(chunk, maxLen), perRow), 4));
      return e;
    });
  }

  /**
   * The number of parameters, from the config alone (no per-tensor list: a config with 10^9 layers
   * must not build one). Throws ArithmeticException past Long.MAX_VALUE.
   */
  public static long parameters(LlamaConfig c) {
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

  /** What is estimated, e.g. "training at batch 1 × 4096 tokens". */
  public String what() {
    return what;
  }

  /** The most elements one tensor of the estimate holds, and its description. */
  public long largestTensor() {
    return largest;
  }

  public String largestName() {
    return largestName;
  }

  /** "weights 12.6 GiB, gradients 25.1 GiB, …" */
  public String breakdown() {
    StringJoiner j = new StringJoiner(", ");
    parts.forEach((k, v) -> j.add(k + " " + Bytes.format(v)));
    return j.toString();
  }

  /** The model's size in config.json's own words. */
  public String shape() {
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
