package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cuda.Bf16AttentionKernels.Choice;
import io.cream.backend.cuda.Bf16AttentionKernels.Pass;
import org.junit.jupiter.api.Test;

/** The choice of bf16 attention kernels, without a GPU. */
class Bf16AttentionKernelsTest {

  @Test
  void everyChoiceIsAKernelOfTheSource() {
    String src = KernelLibrary.source("attention_bf16");
    for (String staging : new String[] {"auto", "async", "registers"}) {
      for (String rows : new String[] {"auto", "16", "32"}) {
        Bf16AttentionKernels k = new Bf16AttentionKernels(staging, rows);
        for (Pass pass : Pass.values()) {
          for (int d : new int[] {64, 128}) {
            Choice c = k.choose(pass, d);
            String suffix = c.name().substring(("attention_bf16_" + pass.label() + "_").length());
            String macro = "BF_" + pass.name() + "(" + d + ", " + c.name().contains("_async") + ", "
                + c.blockRows() / 64 + ", " + suffix + ",";
            assertTrue(src.contains(macro), c.name() + " is not instantiated: no " + macro);
          }
        }
      }
    }
  }

  @Test
  void defaultsStageInRegistersOnlyForTheD64Forward() {
    Bf16AttentionKernels k = new Bf16AttentionKernels("auto", "auto");
    assertEquals("attention_bf16_fwd_d64", k.choose(Pass.FWD, 64).name());
    assertEquals("attention_bf16_fwd_d128_async", k.choose(Pass.FWD, 128).name());
    assertEquals("attention_bf16_dq_d64_async", k.choose(Pass.DQ, 64).name());
    assertEquals("attention_bf16_dkdv_d128_async", k.choose(Pass.DKDV, 128).name());
  }

  @Test
  void sharedMemoryFollowsTheKernelLayout() {
    Bf16AttentionKernels k = new Bf16AttentionKernels("async", "32");
    // forward d64, 128 query rows: Q 128 + K 32 + V 32 rows of 72 bf16, then fp32 K, V staging
    Choice fwd = k.choose(Pass.FWD, 64);
    assertEquals(128, fwd.blockRows());
    assertEquals((128 + 64) * 72 * 2 + 2 * 32 * 64 * 4, fwd.sharedBytes());
    // dK/dV d128 has no 32-row kernel: 64 keys, K, V 64 + Q, dO 32 rows of 136, lse and delta,
    // then staging of Q, dO, lse, delta
    Choice dkdv = k.choose(Pass.DKDV, 128);
    assertEquals("attention_bf16_dkdv_d128_async", dkdv.name());
    assertEquals(64, dkdv.blockRows());
    assertEquals(192 * 136 * 2 + 64 * 4 + (2 * 32 * 128 + 64) * 4, dkdv.sharedBytes());
    // registers staging falls back to cp.async where no such kernel exists
    assertEquals("attention_bf16_dq_d64_async_m2",
        new Bf16AttentionKernels("registers", "32").choose(Pass.DQ, 64).name());
  }

  @Test
  void rejectsUnknownSettings() {
    assertThrows(IllegalArgumentException.class, () -> new Bf16AttentionKernels("tma", "auto"));
    assertThrows(IllegalArgumentException.class, () -> new Bf16AttentionKernels("auto", "64"));
  }
}
