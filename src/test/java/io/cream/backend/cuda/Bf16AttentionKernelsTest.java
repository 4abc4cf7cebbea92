package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cuda.Bf16AttentionKernels.Choice;
import io.cream.backend.cuda.Bf16AttentionKernels.Pass;
import org.junit.jupiter.api.Test;

/** The choice of bf16 attention kernels, without a GPU. */
class Bf16AttentionKernelsTest {
  private static final String[] STAGINGS = {"auto", "cast5", "async", "registers"};

  @Test
  void everyChoiceIsAKernelOfTheSource() {
    for (String staging : STAGINGS) {
      Bf16AttentionKernels k = new Bf16AttentionKernels(staging);
      for (Pass pass : Pass.values()) {
        assertTrue(KernelLibrary.FILES.contains(pass.file()), pass.file());
        String src = KernelLibrary.source(pass.file());
        String macro = pass == Pass.FWD ? "FWD" : "BWD";
        for (int d : new int[] {64, 128}) {
          for (Choice c : new Choice[] {k.choose(pass, d), k.uncast(pass, d)}) {
            String suffix = c.name().substring(c.name().lastIndexOf("_d") + 1);
            String instance = c.bf16Inputs()
                ? "BF_CAST_" + macro + "(" + d + ", " + suffix + ","
                : "BF_" + macro + "_INSTANCES(" + d + ", " + suffix.endsWith("_async") + ", "
                    + suffix + ",";
            assertTrue(src.contains(instance), c.name() + " is not instantiated: no " + instance);
            assertTrue(src.contains("attention_bf16_" + pass.label() + "_##NAME"), pass.label());
            assertEquals(c.bf16Inputs(), suffix.contains("_cast"), c.name());
          }
        }
      }
    }
  }

  @Test
  void defaultsReadBf16CopiesExceptForSplitKeys() {
    Bf16AttentionKernels k = new Bf16AttentionKernels("auto");
    assertEquals("attention_bf16_fwd_d64_cast", k.choose(Pass.FWD, 64).name());
    assertEquals("attention_bf16_dq_d64_cast", k.choose(Pass.DQ, 64).name());
    assertEquals("attention_bf16_dkdv_d128_cast", k.choose(Pass.DKDV, 128).name());
    assertEquals("attention_bf16_fwd_d64", k.uncast(Pass.FWD, 64).name());
    assertEquals("attention_bf16_fwd_d128_async", k.uncast(Pass.FWD, 128).name());
    assertEquals("attention_bf16_fwd_d64_cast5", new Bf16AttentionKernels("cast5")
        .choose(Pass.FWD, 64).name());
    assertEquals("attention_bf16_dq_d64_cast", new Bf16AttentionKernels("cast5")
        .choose(Pass.DQ, 64).name());
    for (String staging : new String[] {"async", "registers"}) {
      for (Pass pass : Pass.values()) {
        Choice c = new Bf16AttentionKernels(staging).choose(pass, 64);
        assertFalse(c.bf16Inputs(), c.name());
        assertEquals(c, new Bf16AttentionKernels(staging).uncast(pass, 64));
      }
    }
    assertEquals("attention_bf16_dkdv_d64", new Bf16AttentionKernels("registers")
        .choose(Pass.DKDV, 64).name());
  }

  @Test
  void sharedMemoryFollowsTheKernelLayout() {
    // forward d64, registers: Q 64 + K 32 + V 32 rows of 72 bf16
    assertEquals(128 * 72 * 2, new Bf16AttentionKernels("registers").choose(Pass.FWD, 64)
        .sharedBytes());
    // forward d64, cp.async: the same, then fp32 staging of K and V (32 × 64 each)
    assertEquals(128 * 72 * 2 + 2 * 32 * 64 * 4, new Bf16AttentionKernels("async")
        .choose(Pass.FWD, 64).sharedBytes());
    // dK/dV d128, cp.async: K, V 64 + Q, dO 32 rows of 136, lse and delta [32], then staging of
    // Q, dO (32 × 128 each), lse and delta
    assertEquals(192 * 136 * 2 + 64 * 4 + (2 * 32 * 128 + 64) * 4,
        new Bf16AttentionKernels("async").choose(Pass.DKDV, 128).sharedBytes());
    // dQ d128, synchronous loads: Q, dO 64 + K, V 32 rows of 136
    assertEquals(192 * 136 * 2, new Bf16AttentionKernels("registers").choose(Pass.DQ, 128)
        .sharedBytes());
    // forward d128, cast: Q 64 rows of 136, then two buffers of K, V 32 rows
    assertEquals(64 * 136 * 2 + 2 * 64 * 136 * 2,
        new Bf16AttentionKernels("auto").choose(Pass.FWD, 128).sharedBytes());
    // dK/dV d64, cast: K, V 64 rows of 72, then two buffers of Q, dO 32 rows, lse and delta [32]
    assertEquals(128 * 72 * 2 + 2 * (64 * 72 * 2 + 64 * 4),
        new Bf16AttentionKernels("auto").choose(Pass.DKDV, 64).sharedBytes());
    // dQ d128, cast: Q, dO 64 rows of 136, then two buffers of K, V 32 rows
    assertEquals(128 * 136 * 2 + 2 * 64 * 136 * 2,
        new Bf16AttentionKernels("auto").choose(Pass.DQ, 128).sharedBytes());
  }

  @Test
  void rejectsUnknownStaging() {
    assertThrows(IllegalArgumentException.class, () -> new Bf16AttentionKernels("tma"));
  }
}
