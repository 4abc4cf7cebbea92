package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.util.UserError;
import java.util.List;
import org.junit.jupiter.api.Test;

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

  @Test
  void trainingCountsWhatTheTrainingPassAllocates() {
    LlamaConfig c = LlamaConfig.fromJson(LlamaConfigTest.json(LlamaConfigTest.LLAMA2_7B));
    MemoryEstimate e = MemoryEstimate.training(c, 1, 4096, false, true, 2);
    long p = 6_738_415_616L;
    assertEquals(List.of("weights", "gradients", "AdamW moments", "activations", "logits"), List.copyOf(e.parts().keySet()));
    assertEquals(16 * p, e.parts().get("weights") + e.parts().get("gradients") + e.parts().get("AdamW moments"));
    assertEquals(4096L * 32000 * 4, e.parts().get("logits"));
    // Per token and layer: 4·(2·4096 + 4096 + 2·4096 + 32 + 2 + 2·11008) + 2·(2·4096 + 4096 + 11008) bytes.
    long block = 4L * (8192 + 4096 + 8192 + 34 + 22016) + 2L * (8192 + 4096 + 11008);
    long scratch = 4L * (8192 + 8192 + 8192 + 11008) + 2L * 2 * 11008 + 4L * 4097 + 2L * 4096;
    assertEquals(4096 * (32 * block + scratch), e.parts().get("activations"));
    long recompute = MemoryEstimate.training(c, 1, 4096, true, true, 2).parts().get("activations");
    assertEquals(4096 * (32L * 4 * 4096 + block + scratch), recompute);
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
          () -> MemoryEstimate.training(c, 8, 4096, false, true, 4).requireFits(b, "lower --batch"));
      assertEquals("training at batch 8 × 4096 tokens needs 4,202,692,608 values in the logits (batch ×"
          + " window × vocab_size), more than one tensor on cpu can hold (2,147,483,639); lower --batch", e.getMessage());
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
