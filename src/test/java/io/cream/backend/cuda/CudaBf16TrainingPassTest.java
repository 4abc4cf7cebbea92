package io.cream.backend.cuda;

import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.cpu.CpuBackend;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import io.cream.model.WeightInit;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model's own forward and backward ({@link TrainingPass}, where the norm and SwiGLU outputs
 * are bf16 {@code matmulInput} tensors in {@link Precision#BF16}) on a TinyLlama-shaped but tiny
 * model (2 layers, GQA 4:2, head dim 64, CREAM-like position ids) against the float32 CPU
 * backend, with and without recomputation. Tolerances as in {@link CudaBf16TrainingStepTest}:
 * loss 1e-3, each gradient 2e-2, and all gradients together at least 1e-4 off (a bf16 step).
 */
@Tag("gpu")
class CudaBf16TrainingPassTest {
  private static final int BATCH = 2, T = 128;

  @ParameterizedTest(name = "recompute={0}")
  @ValueSource(booleans = {false, true})
  void bf16PassStaysNearTheFp32Cpu(boolean recompute) {
    Result gpu;
    try (CudaBackend be = CudaBf16LinearTest.bf16Backend()) {
      gpu = run(be, recompute);
    }
    Result cpu = run(new CpuBackend(), recompute);
    assertEquals(cpu.loss.count(), gpu.loss.count());
    within("bf16 pass loss (recompute=" + recompute + ")",
        Math.abs(gpu.loss.sum() - cpu.loss.sum()) / Math.abs(cpu.loss.sum()), 1e-3);
    double num = 0, den = 0;
    for (String name : cpu.grads.keySet()) {
      double[] g = toDouble(gpu.grads.get(name)), c = toDouble(cpu.grads.get(name));
      within("bf16 pass grad " + name, relErr(g, c), 2e-2);
      for (int i = 0; i < c.length; i++) {
        num += (g[i] - c[i]) * (g[i] - c[i]);
        den += c[i] * c[i];
      }
    }
    double all = Math.sqrt(num / den);
    within("bf16 pass all gradients", all, 2e-2);
    assertTrue(all >= 1e-4, "all gradients differ from fp32 by only " + all
        + ": the pass did not run in bf16");
  }

  private record Result(CrossEntropyLoss loss, Map<String, float[]> grads) {}

  private static Result run(Backend b, boolean recompute) {
    LlamaConfig c = config();
    RopeScaling rope = RopeSpec.of(RopeType.LINEAR, c.headDim(), 10000, 4, T).build();
    SplittableRandom rng = new SplittableRandom(11);
    int[] tokens = new int[BATCH * T], pos = new int[BATCH * T];
    for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(c.vocabSize());
    for (int s = 0; s < BATCH; s++) { // CREAM-like: a head, then a jump far into a 4× window
      for (int t = 0; t < T; t++) pos[s * T + t] = t < T / 4 ? t : t + 2 * T + 37 * s;
    }
    TrainBatch data = new TrainBatch(BATCH, T, tokens, pos,
        TrainBatch.nextTokenTargets(tokens, BATCH, T));
    try (LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 5), rope);
        LlamaWeights grads = LlamaWeights.zeros(c, b);
        TrainingPass pass = new TrainingPass(model, grads, BATCH, T, recompute)) {
      CrossEntropyLoss loss = pass.forwardBackward(data, 1f);
      Map<String, float[]> g = new LinkedHashMap<>();
      grads.byName().forEach((name, t) -> g.put(name, b.download(t)));
      return new Result(loss, g);
    }
  }

  private static LlamaConfig config() {
    ObjectNode j = Json.object();
    j.putArray("architectures").add("LlamaForCausalLM");
    j.put("model_type", "llama");
    j.put("hidden_size", 256);
    j.put("intermediate_size", 704);
    j.put("num_hidden_layers", 2);
    j.put("num_attention_heads", 4);
    j.put("num_key_value_heads", 2);
    j.put("head_dim", 64);
    j.put("rms_norm_eps", 1e-5);
    j.put("rope_theta", 10000.0);
    j.put("max_position_embeddings", 4 * T);
    j.put("vocab_size", 512);
    j.put("tie_word_embeddings", false);
    j.put("initializer_range", 0.02); // transformers' scale: 0.06 left the worst gradient at 1.8e-2
    j.put("bos_token_id", 1);
    j.put("eos_token_id", 2);
    return LlamaConfig.fromJson(j);
  }

  private static void within(String what, double err, double tol) {
    GpuReport.record(what, err, tol);
    assertTrue(err <= tol, what + ": relative error " + err + " exceeds " + tol);
  }
}
