package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.TensorToWrite;
import io.cream.rope.RopeSpec;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No config.json field or checkpoint tensor is read and then ignored: what cream cannot compute
 * (MLP biases, Llama's o_proj bias, sliding-window attention beyond its window, extra tensors) is
 * refused with one line naming it, and so are weights holding NaN or infinity.
 */
class ConfigFieldsHonouredTest {
  @TempDir Path tmp;

  private static void assertRefused(String expected, Consumer<ObjectNode> change) {
    ObjectNode o = LlamaConfigTest.json(LlamaConfigTest.MINIMAL);
    change.accept(o);
    UserError e = assertThrows(UserError.class, () -> LlamaConfig.fromJson(o));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void biasesCreamDoesNotComputeAreRefused() {
    assertRefused("'mlp_bias' is true, but cream's MLP has no biases", o -> o.put("mlp_bias", true));
    assertRefused("'attention_bias' is true, which in Llama adds an o_proj bias cream does not compute",
        o -> o.put("attention_bias", true));
    LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.MINIMAL).put("mlp_bias", false).put("attention_bias", false));
    assertTrue(TinyModels.config(50, false, true, 0.02).attentionBias(), "Qwen2's q/k/v biases are computed");
  }

  @Test
  void aWeightMatrixTooLargeForOneTensorNamesItsFields() {
    UserError e = assertThrows(UserError.class, () -> LlamaConfig.fromJson(
        LlamaConfigTest.json(LlamaConfigTest.LLAMA2_7B).put("hidden_size", 1 << 20).put("num_attention_heads", 1 << 13)));
    assertEquals("config.json: 'vocab_size' × 'hidden_size' = 32,000 × 1,048,576 = 33,554,432,000 values in one"
        + " weight matrix, more than a tensor can hold (2,147,483,639); fix 'hidden_size' or 'vocab_size'", e.getMessage());
    assertRefused("'intermediate_size' × 'hidden_size'", o -> o.put("intermediate_size", 1 << 30));
  }

  @Test
  void slidingWindowIsRefusedOnlyWhereItWouldDifferFromFullAttention() {
    ObjectNode o = LlamaConfigTest.json(LlamaConfigTest.MINIMAL);
    o.put("model_type", "mistral").put("sliding_window", 8).putArray("architectures").add("MistralForCausalLM");
    LlamaConfig c = LlamaConfig.fromJson(o);
    c.requireFullAttention(8);
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 1),
            RopeSpec.defaults(c.headDim(), 10000, 256).build())) {
      new InferenceSession(model, 8).close();
      UserError e = assertThrows(UserError.class, () -> new InferenceSession(model, 9));
      assertEquals("config.json sets 'sliding_window' 8 (local attention), which cream does not compute:"
          + " its full attention matches it only up to 8 tokens, and this needs 9; stay within 8 tokens,"
          + " or use a checkpoint without sliding_window", e.getMessage());
      assertThrows(UserError.class, () -> new TrainingPass(model, WeightInit.random(c, b, 2), 1, 9, false));
    }
  }

  /** A tiny checkpoint whose tensors {@code change} edits before it is written. */
  private Path checkpoint(boolean tied, Consumer<Map<String, TensorToWrite>> change) throws Exception {
    LlamaConfig c = TinyModels.config(50, tied, false, 0.02);
    Path dir = tmp.resolve("ckpt-" + System.nanoTime());
    try (CpuBackend b = new CpuBackend(); LlamaWeights w = WeightInit.random(c, b, 3)) {
      Map<String, TensorToWrite> tensors = new java.util.LinkedHashMap<>(WeightsIO.toWrite(c, w, b, DType.F32));
      tensors.replaceAll((name, t) -> t.held()); // values read now, so that change may edit them
      change.accept(tensors);
      HfCheckpoint.write(dir, c.toJson(), tensors, null, 0);
    }
    return dir;
  }

  private static void load(Path dir) {
    try (CpuBackend b = new CpuBackend()) {
      ModelLoader.load(dir, b, null).close();
    }
  }

  @Test
  void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
    String name = "model.layers.1.mlp.up_proj.weight";
    Path nan = checkpoint(true, t -> t.get(name).data()[7] = Float.NaN);
    UserError e = assertThrows(UserError.class, () -> load(nan));
    assertEquals("tensor '" + name + "' in " + nan.resolve("model.safetensors") + " holds NaN (element 7 of 384):"
        + " the checkpoint is damaged or comes from a diverged run; use an earlier checkpoint", e.getMessage());
    Path inf = checkpoint(true, t -> t.get("model.norm.weight").data()[0] = Float.NEGATIVE_INFINITY);
    e = assertThrows(UserError.class, () -> load(inf));
    assertTrue(e.getMessage().startsWith("tensor 'model.norm.weight' in "), e.getMessage());
  }

  @Test
  void tensorsTheConfigDoesNotDescribeAreRefused() throws Exception {
    Path bias = checkpoint(false, t -> t.put("model.layers.0.self_attn.o_proj.bias",
        new TensorToWrite(DType.F32, new long[] {16}, new float[16])));
    UserError e = assertThrows(UserError.class, () -> load(bias));
    assertEquals("checkpoint " + bias.resolve("model.safetensors") + " holds tensor"
        + " 'model.layers.0.self_attn.o_proj.bias', which its config.json does not describe and cream would"
        + " ignore; it is not a model cream can run exactly (a bias or layer cream does not compute, or a"
        + " config.json from another model)", e.getMessage());
    // What transformers itself leaves aside loads: inv_freq buffers, lm_head beside tied embeddings.
    load(checkpoint(true, t -> {
      t.put("model.layers.0.self_attn.rotary_emb.inv_freq", new TensorToWrite(DType.F32, new long[] {2}, new float[2]));
      t.put("lm_head.weight", t.get("model.embed_tokens.weight"));
    }));
  }
}
