package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cream.backend.cpu.CpuBackend;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import org.junit.jupiter.api.Test;

/** Greedy generation's stopping rules: EOS ends the reply, except before min new tokens. */
class GeneratorTest {
  @Test
  void eosIsHeldOffUntilMinNewTokens() {
    LlamaConfig c = TinyModels.config(23, true, false, 0.3);
    int[] prompt = {1, 5, 9, 4};
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 3),
            RopeSpec.of(RopeType.DEFAULT, c.headDim(), 10000, 1, 64).build());
        InferenceSession s = new InferenceSession(model, 32)) {
      int[] free = Generator.generate(s, prompt, 6, Sampler.greedy(), -1, null);
      assertEquals(6, free.length);
      // Call the greedy first token "EOS": the reply then ends at once...
      int eos = free[0];
      s.reset();
      assertEquals(0, Generator.generate(s, prompt, 6, Sampler.greedy(), eos, null).length);
      // ...unless EOS is held off: then each of the first 3 tokens is the best other token.
      s.reset();
      int[] held = Generator.generate(s, prompt, 3, 6, Sampler.greedy(), eos, null);
      s.reset();
      float[] logits = s.append(prompt, InferenceSession.Logits.LAST).clone();
      logits[eos] = Float.NEGATIVE_INFINITY;
      assertEquals(Sampler.argmax(logits), held[0]);
      for (int i = 0; i < Math.min(3, held.length); i++) assertEquals(true, held[i] != eos, "token " + i);
      assertEquals(true, held.length >= 3);
      // Min 0 is the plain call.
      s.reset();
      int[] plain = Generator.generate(s, prompt, 0, 6, Sampler.greedy(), -1, null);
      assertArrayEquals(free, plain);
    }
  }

  @Test
  void eosLaterStopsThereAndEveryReturnedTokenIsStreamed() {
    LlamaConfig c = TinyModels.config(23, true, false, 0.3);
    int[] prompt = {1, 5, 9, 4};
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 3),
            RopeSpec.of(RopeType.DEFAULT, c.headDim(), 10000, 1, 64).build());
        InferenceSession s = new InferenceSession(model, 32)) {
      int[] free = Generator.generate(s, prompt, 8, Sampler.greedy(), -1, null);
      assertEquals(8, free.length, "no EOS: the cap of max new tokens");
      int stop = 1; // the first token unlike all before it
      while (stop < free.length && seenBefore(free, stop)) stop++;
      if (stop == free.length) return; // every later token repeats an earlier one: nothing to test here
      int eos = free[stop];
      java.util.List<Integer> streamed = new java.util.ArrayList<>();
      s.reset();
      int[] cut = Generator.generate(s, prompt, 8, Sampler.greedy(), eos, streamed::add);
      assertArrayEquals(java.util.Arrays.copyOf(free, stop), cut, "ends before EOS, which is not returned");
      assertArrayEquals(cut, streamed.stream().mapToInt(Integer::intValue).toArray());
      // A session holding only prompt + 3 tokens stops when full: 3 tokens cached, a 4th from the last logits.
      try (InferenceSession small = new InferenceSession(model, prompt.length + 3)) {
        assertEquals(4, Generator.generate(small, prompt, 8, Sampler.greedy(), -1, null).length);
      }
    }
  }

  private static boolean seenBefore(int[] ids, int i) {
    for (int j = 0; j < i; j++) if (ids[j] == ids[i]) return true;
    return false;
  }
}
