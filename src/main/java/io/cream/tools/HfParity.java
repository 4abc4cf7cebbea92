package io.cream.tools;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import io.cream.backend.cuda.CudaBackend;
import io.cream.backend.cuda.Precision;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.SafeTensorsWriter;
import io.cream.io.TensorToWrite;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.ModelLoader;
import io.cream.model.ParamLayout;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSampler;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes random tiny Llama checkpoints (one per RoPE type, through our own safetensors and
 * config.json writers) and dumps what our model computes on them, for scripts/hf_parity.py to
 * compare with Hugging Face transformers: the logits of one random token sequence per backend,
 * and for the cases marked so, the loss and gradients of one training step with CREAM position
 * ids. A developer tool (not a user command):
 * {@code java ... io.cream.tools.HfParity OUT [cpu,cuda,cuda-bf16]} (cuda-bf16: the GPU with
 * {@link Precision#BF16}, compared by hf_parity.py at a bf16 tolerance).
 *
 * <p>Per case folder: the checkpoint, {@code parity.json} (tokens, our inv_freq and attention
 * factor at the sequence length, the step's tokens/positions/targets and losses) and
 * {@code ours.safetensors} ({@code logits/DEV} [T × V], {@code grad/DEV/NAME} per parameter).
 */
public final class HfParity {
  /** Pre-trained window L of the tiny models, and the extension factor of the scaled types. */
  public static final int WINDOW = 64, FACTOR = 4;
  /** Length of the logits sequence: beyond L (so the scaling matters) and within f·L. */
  static final int SEQ_LEN = 200;
  static final int STEP_BATCH = 2;

  /** One checkpoint to compare: its RoPE and whether a training step is dumped too. */
  /**
   * A checkpoint to compare: its rope, whether one training step is compared too, and the scale
   * of its random weights.
   */
  public record Case(String name, RopeSpec rope, boolean step, WeightScale scale) {
    public Case(String name, RopeSpec rope, boolean step) {
      this(name, rope, step, WeightScale.SHARP);
    }
  }

  /**
   * SHARP: matrices N(0, 0.15²), embedding N(0, 1) — attention far from uniform, so every op is
   * exercised, and any rounding is amplified (bf16 is then held to PyTorch amp's own error).
   * HF_INIT: every matrix and the embedding N(0, 0.02²), transformers' initializer_range, the
   * scale real checkpoints start from — bf16 is held to the plain 1e-2 bar there.
   */
  public enum WeightScale {
    SHARP(0.15, 1.0), HF_INIT(0.02, 0.02);

    final double matrixStd, embeddingStd;

    WeightScale(double matrixStd, double embeddingStd) {
      this.matrixStd = matrixStd;
      this.embeddingStd = embeddingStd;
    }
  }

  private HfParity() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: HfParity OUT_DIR [cpu,cuda,cuda-bf16]");
      System.exit(2);
    }
    List<String> devices = List.of((args.length > 1 ? args[1] : "cpu,cuda,cuda-bf16").split(","));
    for (Case c : cases()) {
      write(Path.of(args[0]).resolve(c.name()), c, devices);
      System.out.println("hf-parity: wrote " + c.name());
    }
  }

  /** The rope types transformers knows, plus the two we export through other HF types. */
  public static List<Case> cases() {
    int d = headDim();
    double base = 10000;
    return List.of(
        new Case("none", RopeSpec.defaults(d, base, WINDOW * FACTOR), false),
        new Case("linear", RopeSpec.of(RopeType.LINEAR, d, base, FACTOR, WINDOW), false),
        new Case("dynamic", RopeSpec.of(RopeType.DYNAMIC, d, base, FACTOR, WINDOW), false),
        new Case("yarn", RopeSpec.of(RopeType.YARN, d, base, FACTOR, WINDOW), true),
        new Case("llama3", RopeSpec.of(RopeType.LLAMA3, d, base, FACTOR, WINDOW), false),
        new Case("ntk", RopeSpec.of(RopeType.NTK, d, base, FACTOR, WINDOW), false),
        new Case("yarn-revised", RopeSpec.of(RopeType.YARN_REVISED, d, base, FACTOR, WINDOW), false),
        new Case("none-hfinit", RopeSpec.defaults(d, base, WINDOW * FACTOR), false, WeightScale.HF_INIT),
        new Case("yarn-hfinit", RopeSpec.of(RopeType.YARN, d, base, FACTOR, WINDOW), true, WeightScale.HF_INIT));
  }

  /** 64: a head size the CUDA backend runs on its tensor-core attention kernels. */
  static int headDim() {
    return 64;
  }

  /** A small GQA Llama config (3 layers, hidden 128, 4 query heads of 64 on 2 KV heads, vocab 384). */
  public static ObjectNode config(RopeSpec rope) {
    ObjectNode j = Json.object();
    j.putArray("architectures").add("LlamaForCausalLM");
    j.put("model_type", "llama");
    j.put("hidden_size", 128);
    j.put("intermediate_size", 224);
    j.put("num_hidden_layers", 3);
    j.put("num_attention_heads", 4);
    j.put("num_key_value_heads", 2);
    j.put("head_dim", headDim());
    j.put("hidden_act", "silu");
    j.put("rms_norm_eps", 1e-5);
    j.put("vocab_size", 384);
    j.put("tie_word_embeddings", false);
    j.put("attention_bias", false);
    j.put("mlp_bias", false);
    j.put("bos_token_id", 1);
    j.put("eos_token_id", 2);
    j.put("torch_dtype", "float32");
    rope.writeHfConfig(j);
    return j;
  }

  /**
   * Random weights with a scale that keeps every op away from its trivial regime: matrices from
   * N(0, 0.15²) (attention scores of a few units, far from uniform), the embedding from N(0, 1),
   * norm weights 1 + N(0, 0.2²).
   */
  public static Map<String, float[]> randomWeights(LlamaConfig c, long seed) {
    return randomWeights(c, seed, WeightScale.SHARP);
  }

  /** Random weights at the given scale (norm weights 1 + N(0, 0.2²) in both). */
  public static Map<String, float[]> randomWeights(LlamaConfig c, long seed, WeightScale scale) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (ParamLayout.Param p : ParamLayout.of(c)) {
      SplittableRandom rng = new SplittableRandom(seed * 31 + p.name().hashCode());
      float[] w = new float[Math.toIntExact(p.size())];
      boolean norm = p.name().endsWith("norm.weight");
      double std = norm ? 0.2 : p.name().equals(ParamLayout.EMBED) ? scale.embeddingStd : scale.matrixStd;
      for (int i = 0; i < w.length; i++) w[i] = (float) ((norm ? 1 : 0) + std * rng.nextGaussian());
      out.put(p.name(), w);
    }
    return out;
  }

  /** Writes the checkpoint and our results on each device into {@code dir}. */
  public static void write(Path dir, Case c, List<String> devices) throws IOException {
    ObjectNode configJson = config(c.rope());
    LlamaConfig config = LlamaConfig.fromJson(configJson);
    Map<String, TensorToWrite> weights = new LinkedHashMap<>();
    randomWeights(config, 7, c.scale()).forEach((name, w) -> {
      ParamLayout.Param p = ParamLayout.of(config).stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
      weights.put(name, new TensorToWrite(DType.F32, p.hfShape(), w));
    });
    HfCheckpoint.write(dir, configJson, weights, null, 0);

    SplittableRandom rng = new SplittableRandom(11);
    int[] tokens = rng.ints(SEQ_LEN, 0, config.vocabSize()).toArray();
    TrainBatch step = c.step() ? stepBatch(config, rng) : null;
    ObjectNode meta = Json.object();
    meta.put("case", c.name());
    meta.put("rope_type", c.rope().type().id());
    meta.put("weights", c.scale().name().toLowerCase());
    putInts(meta.putArray("tokens"), tokens);
    RopeScaling rope = c.rope().build();
    double[] invFreq = rope.invFreq(SEQ_LEN);
    ArrayNode inv = meta.putArray("inv_freq");
    for (double v : invFreq) inv.add(v);
    meta.put("attention_factor", rope.attentionFactor(SEQ_LEN));
    if (step != null) {
      ObjectNode s = meta.putObject("step");
      s.put("batch", step.batch()).put("seq_len", step.seqLen());
      putInts(s.putArray("tokens"), step.tokens());
      putInts(s.putArray("positions"), step.positions());
      putInts(s.putArray("targets"), step.targets());
    }
    Map<String, TensorToWrite> ours = new LinkedHashMap<>();
    ObjectNode losses = meta.putObject("loss");
    for (String device : devices) {
      if (device.startsWith("cuda") && !CudaBackend.isAvailable()) continue;
      try (Backend b = open(device); LlamaModel model = ModelLoader.load(dir, b, null)) {
        ours.put("logits/" + device, TensorToWrite.of(DType.F32, logits(model, tokens), SEQ_LEN, config.vocabSize()));
        if (step != null) losses.put(device, stepGradients(model, step, device, ours));
      }
    }
    SafeTensorsWriter.writeFile(dir.resolve("ours.safetensors"), ours);
    Json.writeAtomically(dir.resolve("parity.json"), meta);
  }

  /** cpu, cuda (exact fp32) or cuda-bf16 (bf16 autocast, {@link Precision#BF16}). */
  static Backend open(String device) {
    return switch (device) {
      case "cpu" -> new CpuBackend();
      case "cuda" -> new CudaBackend(0);
      case "cuda-bf16" -> new CudaBackend(0, Precision.BF16);
      default -> throw new IllegalArgumentException("device must be cpu, cuda or cuda-bf16, got "
          + device);
    };
  }

  /** Logits of every token of one sequence at positions 0…T−1, in a single forward. */
  public static float[] logits(LlamaModel model, int[] tokens) {
    try (InferenceSession s = new InferenceSession(model, tokens.length, tokens.length)) {
      return s.append(tokens, InferenceSession.Logits.ALL);
    }
  }

  /** Two sequences of L tokens with CREAM position ids in [0, f·L) and next-token targets. */
  static TrainBatch stepBatch(LlamaConfig c, SplittableRandom rng) {
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, WINDOW, FACTOR, 3.0);
    int n = STEP_BATCH * WINDOW;
    int[] tokens = rng.ints(n, 0, c.vocabSize()).toArray();
    int[] positions = new int[n];
    for (int b = 0; b < STEP_BATCH; b++) {
      System.arraycopy(sampler.sample(rng).positions(), 0, positions, b * WINDOW, WINDOW);
    }
    return new TrainBatch(STEP_BATCH, WINDOW, tokens, positions, TrainBatch.nextTokenTargets(tokens, STEP_BATCH, WINDOW));
  }

  /** One forward/backward of the summed cross-entropy; stores each gradient, returns the loss. */
  static double stepGradients(LlamaModel model, TrainBatch step, String device, Map<String, TensorToWrite> out) {
    LlamaConfig c = model.config();
    try (LlamaWeights grads = LlamaWeights.zeros(c, model.backend());
        TrainingPass pass = new TrainingPass(model, grads, step.batch(), step.seqLen(), false)) {
      CrossEntropyLoss loss = pass.forwardBackward(step, 1f);
      for (ParamLayout.Param p : ParamLayout.of(c)) {
        Tensor g = grads.byName().get(p.name());
        out.put("grad/" + device + "/" + p.name(), new TensorToWrite(DType.F32, p.hfShape(), model.backend().download(g)));
      }
      return loss.sum();
    }
  }

  private static void putInts(ArrayNode array, int[] values) {
    for (int v : values) array.add(v);
  }
}
