package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.Backend;
import io.cream.backend.cpu.CpuBackend;
import io.cream.rope.RopeSpec;
import io.cream.util.UserError;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A model that cannot fit is refused from its config.json, in milliseconds, before anything is
 * allocated; every count is exact long arithmetic (no overflow, no per-layer lists).
 */
class MemoryEstimateTest {
  static LlamaConfig config(String json, java.util.function.Consumer<ObjectNode> change) {
    ObjectNode o = LlamaConfigTest.json(json);
    change.accept(o);
    return LlamaConfig.fromJson(o);
  }

  @Test
  void parameterCountMatchesTheLayout() {
    for (LlamaConfig c : List.of(TinyModels.config(50, true, false, 0.02), TinyModels.config(50, false, true, 0.02),
        LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.LLAMA31_8B)))) {
      assertEquals(ParamLayout.count(c), MemoryEstimate.parameters(c), c.toString());
    }
    assertEquals(6_738_415_616L, MemoryEstimate.parameters(LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.LLAMA2_7B))));
  }

  /**
   * A CPU backend that adds up the bytes of every tensor made through it (zeros, matmulInput at
   * {@code mmBytes} per element, upload), each rounded as the GPU's allocator rounds blocks.
   */
  static final class Counting implements InvocationHandler {
    final CpuBackend cpu = new CpuBackend();
    final int mmBytes;
    boolean on;
    long bytes;

    Counting(int mmBytes) {
      this.mmBytes = mmBytes;
    }

    Backend backend() {
      return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, this);
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (on && List.of("zeros", "upload", "matmulInput").contains(method.getName())) {
        long rows = (Integer) args[args.length - 2], cols = (Integer) args[args.length - 1];
        switch (method.getName()) {
          case "zeros", "upload" -> bytes += MemoryEstimate.block(rows * cols * 4);
          case "matmulInput" -> bytes += MemoryEstimate.block(rows * cols * mmBytes);
          default -> { }
        }
      }
      if (method.getName().equals("matmulInputBytes")) return mmBytes;
      try {
        return method.invoke(cpu, args);
      } catch (java.lang.reflect.InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }

  /**
   * The activations and logits of the estimate are exactly what a TrainingPass allocates (and a
   * step's RoPE tables), counted through the backend it runs on: with and without recompute, bf16
   * or fp32 matmul inputs, one logits chunk or several.
   */
  @ParameterizedTest(name = "recompute={0} mmBytes={1} logitsRows={2} bias={3}")
  @CsvSource({"false,4,12,false", "true,4,12,false", "false,2,5,true", "true,2,5,false", "true,4,1,true"})
  void activationsAreWhatTheTrainingPassAllocates(boolean recompute, int mmBytes, int logitsRows, boolean bias) {
    LlamaConfig c = TinyModels.config(37, false, bias, 0.02);
    int batch = 2, seqLen = 6;
    Counting counting = new Counting(mmBytes);
    Backend b = counting.backend();
    try (LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 3), RopeSpec.defaults(c.headDim(), 10000, 8).build());
        LlamaWeights grads = LlamaWeights.zeros(c, b)) {
      counting.on = true;
      int[] tokens = new SplittableRandom(1).ints(batch * seqLen, 0, c.vocabSize()).toArray();
      int[] pos = new int[tokens.length];
      for (int i = 0; i < pos.length; i++) pos[i] = i % seqLen;
      try (TrainingPass pass = new TrainingPass(model, grads, batch, seqLen, recompute, logitsRows)) {
        pass.forwardBackward(new TrainBatch(batch, seqLen, tokens, pos, TrainBatch.nextTokenTargets(tokens, batch, seqLen)), 1f);
      }
      MemoryEstimate e = MemoryEstimate.training(c, new MemoryEstimate.TrainingSetup(batch, seqLen, recompute, mmBytes, 4,
          MemoryEstimate.OptimizerPlace.DEVICE, logitsRows)).device();
      assertEquals(counting.bytes, e.parts().get("activations") + e.parts().get("logits"));
    }
  }

  /** The 7B shape at 4096 tokens, batch 1, --recompute, bf16, optimizer in host memory, by hand. */
  @Test
  void llama2SevenBillionWithTheOptimizerInHostMemory() {
    LlamaConfig c = LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.LLAMA2_7B));
    long p = 6_738_415_616L, h = 4096, ffn = 11008, vocab = 32000, rows = 4096;
    MemoryEstimate.Training t = MemoryEstimate.training(c, new MemoryEstimate.TrainingSetup(1, 4096, true, 2, 2,
        MemoryEstimate.OptimizerPlace.HOST, TrainingPass.logitsChunkRows(rows, vocab)));
    Map<String, Long> d = t.device().parts(), host = t.host().parts();
    assertEquals(List.of("weights", "gradients", "activations", "logits", "workspace"), List.copyOf(d.keySet()));
    // bf16 matrices (q, k, v, o, gate, up, down; lm_head) + fp32 embedding and norms (65 of them)
    long matrices = 32 * (4 * h * h + 3 * h * ffn) + vocab * h;
    assertEquals(2 * matrices + 4 * vocab * h + 4 * 65 * h, d.get("weights"));
    assertEquals(13_739_507_712L, d.get("weights"));
    assertEquals(4 * p, d.get("gradients"));
    // 32 block inputs; one block's other tensors (fp32: rstd1, q, k, v, lse, h, rstd2, gate, up;
    // bf16: n1, att, n2, act); the head's x, rstd, nf (bf16); the backward's scratch (fp32 dx, dn,
    // dAtt, dq, dk, dv, dAct; bf16 dGate, dUp); the cos and sin tables.
    long inputs = 32 * rows * h * 4;
    long block = rows * (4 * (1 + h + h + h + 32 + h + 1 + ffn + ffn) + 2 * (h + h + h + ffn));
    long head = rows * (4 * (h + 1) + 2 * h);
    long scratch = rows * (4 * (5 * h + h + ffn) + 2 * 2 * ffn);
    long rope = 2 * rows * 64 * 4;
    assertEquals(inputs + block + head + scratch + rope, d.get("activations"));
    assertEquals(3_834_167_296L, d.get("activations"));
    assertEquals(2097, TrainingPass.logitsChunkRows(rows, vocab)); // 2^26 / 32,000
    assertEquals(128L << 21, d.get("logits")); // 2,097 × 32,000 × 4 bytes, in 2 MiB blocks
    // cuDNN's attention backward: q, k, v, dO, dq, dk, dv in bf16, dq accumulated in fp32, two
    // statistics per head; plus 256 MiB for the libraries.
    long attention = rows * (7 * h * 2 + 4 * h + 2 * 32 * 4);
    assertEquals(attention + (256L << 20), d.get("workspace"));
    assertEquals(45_367_246_848L, t.device().total()); // 42.3 GiB
    assertEquals(List.of("master weights", "AdamW moments", "transfer buffers"), List.copyOf(host.keySet()));
    assertEquals(12 * p + 16 * vocab * h, t.host().total()); // + four buffers of the largest tensor
    assertEquals(82_958_139_392L, t.host().total()); // 77.3 GiB
  }

  /** The same run with the optimizer on the device: fp32 masters beside the bf16 copies, or alone. */
  @Test
  void llama2SevenBillionWithTheOptimizerOnTheDevice() {
    LlamaConfig c = LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.LLAMA2_7B));
    long p = 6_738_415_616L;
    var setup = new MemoryEstimate.TrainingSetup(1, 4096, true, 2, 2, MemoryEstimate.OptimizerPlace.DEVICE, 2097);
    MemoryEstimate.Training copies = MemoryEstimate.training(c, setup);
    MemoryEstimate.Training plain = MemoryEstimate.training(c, new MemoryEstimate.TrainingSetup(1, 4096, true, 2, 4,
        MemoryEstimate.OptimizerPlace.DEVICE, 2097));
    long matrices = 32 * (4 * 4096L * 4096 + 3 * 4096L * 11008) + 32000L * 4096;
    assertEquals(4 * matrices, copies.device().parts().get("master weights"));
    assertEquals(8 * p, copies.device().parts().get("AdamW moments"));
    assertEquals(4 * p, plain.device().parts().get("weights"));
    assertFalse(plain.device().parts().containsKey("master weights"));
    assertTrue(plain.host().parts().isEmpty());
    // fp32 weights in bf16 mode: a product rounds its weight (the widest: lm_head) and its dy (the
    // logits chunk) to bf16 copies
    assertEquals(571_473_920L, copies.device().parts().get("workspace"));
    assertEquals(32000L * 4096 * 2 + (64L << 21) + (256L << 20), plain.device().parts().get("workspace"));
    assertEquals(16 * p, plain.device().parts().get("weights") + plain.device().parts().get("gradients")
        + plain.device().parts().get("AdamW moments"));
    // 16 bytes per parameter + activations + logits chunk + workspace: 104.9 GiB, the "~105 GiB"
    assertEquals(16 * p + 3_834_167_296L + (128L << 21) + 664_797_184L, plain.device().total());
  }

  /** TinyLlama 1.1B (GQA 32:4, 22 layers) at 4096 tokens, batch 4, bf16, everything on the device. */
  @Test
  void tinyLlamaOnTheDevice() {
    LlamaConfig c = io.cream.bench.ModelShapes.resolve("tinyllama-1.1b");
    long p = MemoryEstimate.parameters(c), h = 2048, kv = 256, ffn = 5632, vocab = 32000, rows = 4 * 4096;
    assertEquals(1_100_048_384L, p);
    MemoryEstimate.Training t = MemoryEstimate.training(c, new MemoryEstimate.TrainingSetup(4, 4096, false, 2, 2,
        MemoryEstimate.OptimizerPlace.DEVICE, TrainingPass.logitsChunkRows(rows, vocab)));
    Map<String, Long> d = t.device().parts();
    long matrices = 22 * (2 * h * h + 2 * kv * h + 3 * ffn * h);
    long vectors = (2 * 22 + 1) * h;
    // blocks of 2 MiB (above 1 MiB) fit every tensor but lm_head in bf16: 62.5 blocks, rounded up
    assertEquals(2 * matrices + (63L << 21) + 4 * (vocab * h + vectors), d.get("weights"));
    assertEquals(4 * (matrices + vocab * h), d.get("master weights"));
    assertEquals(4 * p, d.get("gradients"));
    assertEquals(8 * p, d.get("AdamW moments"));
    long block = rows * (4 * (h + 1 + h + kv + kv + 32 + h + 1 + ffn + ffn) + 2 * (h + h + h + ffn));
    long head = rows * (4 * (h + 1) + 2 * h);
    long scratch = rows * (4 * (4 * h + 2 * kv + ffn) + 2 * 2 * ffn);
    long rope = 2 * rows * 32 * 4;
    assertEquals(22 * block + head + scratch + rope, d.get("activations"));
    assertTrue(t.host().parts().isEmpty());
  }

  @Test
  void aBillionLayersIsRefusedNamingTheFieldAndTheMemory() {
    LlamaConfig c = config(LlamaConfigTest.LLAMA2_7B, o -> o.put("num_hidden_layers", 1_000_000_000));
    long t0 = System.nanoTime();
    try (CpuBackend b = new CpuBackend()) {
      UserError e = assertThrows(UserError.class, () -> MemoryEstimate.weights(c).requireFits(b, "use less"));
      String m = e.getMessage();
      assertTrue(m.startsWith("loading the model needs 719.0 PiB (weights 719.0 PiB) for 202,383,360,262,148,096 parameters"), m);
      assertTrue(m.contains("(config.json: num_hidden_layers 1,000,000,000, hidden_size 4,096,"), m);
      assertTrue(m.contains("is free on cpu (the Java heap; CREAM_MAX_RAM_PERCENT raises it); the model alone"
          + " does not fit: use a machine with more memory"), m);
    }
    assertTrue(System.nanoTime() - t0 < 1_000_000_000L, "refused at once");
  }

  @Test
  void sizesBeyondLongAreRefusedNotWrapped() {
    LlamaConfig c = config(LlamaConfigTest.LLAMA2_7B, o -> o.put("num_hidden_layers", Integer.MAX_VALUE)
        .put("intermediate_size", 500_000));
    UserError e = assertThrows(UserError.class, () -> MemoryEstimate.training(c, 8, 4096, false, true, 4));
    assertTrue(e.getMessage().startsWith("training at batch 8 × 4096 tokens needs more than 2^63 bytes for"
        + " more than 2^63 parameters (config.json: num_hidden_layers 2,147,483,647"), e.getMessage());
  }

  @Test
  void aTensorBeyondWhatTheBackendHoldsIsNamed() {
    LlamaConfig c = LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.LLAMA31_8B));
    try (CpuBackend b = new CpuBackend()) {
      UserError e = assertThrows(UserError.class,
          () -> MemoryEstimate.training(c, 64, 4096, false, true, 4).requireFits(b, "lower --batch"));
      assertEquals("training at batch 64 × 4096 tokens needs 3,758,096,384 values in one MLP activation (batch ×"
          + " window × intermediate_size), more than one tensor on cpu can hold (2,147,483,639); lower --batch", e.getMessage());
      e = assertThrows(UserError.class,
          () -> MemoryEstimate.session(c, 3_000_000, 256).requireFits(b, "use shorter sequences"));
      assertTrue(e.getMessage().startsWith("a 3,000,000-token sequence needs 3,072,000,000 values in one layer's KV cache"),
          e.getMessage());
    }
  }

  @Test
  void whatFitsPasses() {
    try (CpuBackend b = new CpuBackend()) {
      LlamaConfig tiny = TinyModels.config(50, true, false, 0.02);
      MemoryEstimate.training(tiny, 2, 16, false, true, 4).requireFits(b, "");
      MemoryEstimate.session(tiny, 1000, 256).requireFits(b, "");
      MemoryEstimate.weights(tiny).requireFits(b, "");
    }
  }
}
