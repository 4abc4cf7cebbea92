package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.bench.ModelShapes;
import io.cream.model.LlamaConfig;
import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The memory plan's decisions on the 7B shape, for an H100 (79 GiB free) and an H200 (139 GiB
 * free) in bf16 mode with 120 GiB of host memory: where the optimizer state goes under --offload
 * auto, whether the matrices get bf16 copies, and the one option a refused run is told to use.
 */
class MemoryPlanTest {
  static final LlamaConfig L7B = ModelShapes.resolve("llama2-7b");
  static final MemoryPlan.Device H100 = new MemoryPlan.Device("cuda:0", 79L << 30, 2, Long.MAX_VALUE);
  static final MemoryPlan.Device H200 = new MemoryPlan.Device("cuda:0", 139L << 30, 2, Long.MAX_VALUE);
  static final long HOST = 120L << 30;

  static TrainOptions options(int window, int batch, boolean recompute, Offload offload) {
    return TrainOptions.defaults().withWindow(window).withBatch(batch).withGradAccum(16).withRecompute(recompute)
        .withOffload(offload);
  }

  static MemoryPlan plan(MemoryPlan.Device d, int window, int batch, boolean recompute, Offload offload) {
    return MemoryPlan.of(L7B, options(window, batch, recompute, offload), d, HOST);
  }

  @Test
  void autoPutsTheOptimizerStateOfA7BRunInHostMemoryOnAnH100() {
    for (int window : new int[] {4096, 32768}) {
      MemoryPlan p = plan(H100, window, 1, true, Offload.AUTO);
      assertTrue(p.fits(), p.refusal());
      assertEquals(new MemoryPlan.Choice(1, true, true, true), p.choice());
      assertTrue(p.autoNote().startsWith("the optimizer state does not fit on cuda:0 (the run would need "), p.autoNote());
      assertTrue(p.autoNote().endsWith("it goes to host memory (--offload optimizer; --offload none keeps it on the device)"));
      assertNull(p.copiesNote());
      assertNull(p.refusal());
      p.requireFits();
    }
    assertEquals(45_367_246_848L, plan(H100, 4096, 1, true, Offload.AUTO).need().device().total()); // 42.3 GiB
    assertEquals(82_958_139_392L, plan(H100, 4096, 1, true, Offload.AUTO).need().host().total()); // 77.3 GiB
  }

  @Test
  void offloadNoneIsRefusedInOneLineNamingOffload() {
    MemoryPlan p = plan(H100, 4096, 1, true, Offload.NONE);
    assertFalse(p.fits());
    UserError e = assertThrows(UserError.class, p::requireFits);
    assertEquals(p.refusal(), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    assertTrue(e.getMessage().startsWith("training at batch 1 × 4096 tokens needs 104.9 GiB (weights 25.1 GiB,"
        + " gradients 25.1 GiB, AdamW moments 50.2 GiB, activations 3.6 GiB, logits 256.0 MiB, workspace 634.0 MiB)"
        + " for 6,738,415,616 parameters (config.json: num_hidden_layers 32,"), e.getMessage());
    assertTrue(e.getMessage().endsWith("but only 79.0 GiB is free on cuda:0; add --offload optimizer (then 42.3 GiB on"
        + " cuda:0, 77.3 GiB of host memory)"), e.getMessage());
  }

  @Test
  void theFixesAreRecomputeASmallerBatchOrOffloadFewestFirst() {
    assertTrue(plan(H100, 4096, 2, false, Offload.AUTO).refusal()
        .endsWith("; add --recompute (then 46.1 GiB on cuda:0, 77.3 GiB of host memory)"));
    assertTrue(plan(H100, 4096, 2, false, Offload.NONE).refusal()
        .endsWith("; add --recompute and --offload optimizer (then 46.1 GiB on cuda:0, 77.3 GiB of host memory)"));
    assertTrue(plan(H100, 4096, 16, true, Offload.AUTO).refusal()
        .endsWith("; lower --batch to 8 with --grad-accum 32 (the same global batch) (then 69.2 GiB on cuda:0,"
            + " 77.3 GiB of host memory)"));
    assertTrue(plan(H100, 32768, 1, false, Offload.OPTIMIZER).refusal()
        .endsWith("; add --recompute (then 69.2 GiB on cuda:0, 77.3 GiB of host memory)"));
    assertTrue(plan(H200, 4096, 2, false, Offload.NONE).refusal().endsWith("; add --recompute (then 108.6 GiB on cuda:0)"));
  }

  @Test
  void onAnH200TheMatricesGetBf16CopiesWhereTheyFit() {
    MemoryPlan p = plan(H200, 4096, 1, true, Offload.AUTO);
    assertEquals(new MemoryPlan.Choice(1, true, false, true), p.choice());
    assertTrue(p.need().device().parts().containsKey("master weights"));
    assertNull(p.copiesNote());
    MemoryPlan longer = plan(H200, 32768, 1, true, Offload.AUTO); // 144.0 GiB with copies, 131.7 without
    assertEquals(new MemoryPlan.Choice(1, true, false, false), longer.choice());
    assertTrue(longer.copiesNote().startsWith("bf16 copies of the matrices do not fit beside their fp32 masters on cuda:0"));
    assertNull(longer.autoNote());
  }

  @Test
  void hostMemoryIsPlannedToo() {
    TrainOptions o = options(4096, 1, true, Offload.OPTIMIZER);
    MemoryPlan small = MemoryPlan.of(L7B, o, H200, 64L << 30);
    assertTrue(small.refusal().startsWith("training at batch 1 × 4096 tokens with the optimizer state in host memory"
        + " needs 77.3 GiB of it (master weights 25.1 GiB, AdamW moments 50.2 GiB, transfer buffers 2.0 GiB)"), small.refusal());
    assertTrue(small.refusal().endsWith("but only 64.0 GiB is available; use --offload none (then 104.9 GiB on cuda:0)"),
        small.refusal());
    assertTrue(MemoryPlan.of(L7B, o, H100, 64L << 30).refusal()
        .endsWith("; the model alone does not fit: use a machine with more memory"));
    // --offload auto on an H100 with too little host memory: nowhere to go
    MemoryPlan none = MemoryPlan.of(L7B, options(4096, 1, true, Offload.AUTO), H100, 64L << 30);
    assertFalse(none.fits());
  }

  @Test
  void theCpuBackendsHeapIsItsDevice() {
    LlamaConfig c = ModelShapes.resolve("tinyllama-1.1b");
    MemoryPlan.Device heap = new MemoryPlan.Device("cpu", 16L << 30, 4, Integer.MAX_VALUE - 8);
    MemoryPlan p = MemoryPlan.of(c, options(512, 2, false, Offload.NONE), heap, HOST);
    assertTrue(p.refusal().contains("is free on cpu (the Java heap; CREAM_MAX_RAM_PERCENT raises it); add --offload"
        + " optimizer (then "), p.refusal());
    assertEquals(new MemoryPlan.Choice(2, false, true, false), MemoryPlan.of(c, options(512, 2, false, Offload.AUTO), heap, HOST).choice());
  }

  @Test
  void planPrintsATableWithTotalsAndTheVerdict() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    plan(H100, 4096, 1, true, Offload.AUTO).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals("memory plan: 6,738,415,616 parameters (32 layers × 4096, vocabulary 32,000); batch 1 × 4096 tokens"
        + " (16 micro-batches per step), --recompute, bf16 products, optimizer state in host memory (--offload optimizer)", lines[0]);
    assertEquals(List.of(
        "  part                                                     cuda:0         host",
        "  weights (bf16 matrices; fp32 norms, embedding)         12.8 GiB            -",
        "  master weights (fp32)                                         -     25.1 GiB",
        "  gradients (fp32)                                       25.1 GiB            -",
        "  AdamW moments (fp32 m and v)                                  -     50.2 GiB",
        "  activations (block inputs; one block, recomputed)       3.6 GiB            -",
        "  logits (2,097 rows × vocabulary at a time)            256.0 MiB            -",
        "  workspace (largest op's temporaries, libraries)       545.0 MiB            -",
        "  transfer buffers (gradients down, weights up)                 -      2.0 GiB",
        "  total                                                  42.3 GiB     77.3 GiB",
        "  free                                                   79.0 GiB    120.0 GiB",
        "  fits with the optimizer state in host memory"), List.of(lines).subList(1, lines.length));
  }
}
