package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cpu.CpuBackend;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The KV-cache path against the float64 reference, across chunk boundaries and token by token. */
class InferenceSessionTest {

  @Test
  void chunkedScoringMatchesReference() {
    LlamaConfig c = TinyModels.config(17, false, false, 0.3);
    RopeScaling rope = RopeSpec.of(RopeType.LINEAR, c.headDim(), 10000, 2, 8).build();
    int n = 11;
    int[] tokens = new SplittableRandom(5).ints(n, 0, c.vocabSize()).toArray();
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 9), rope);
        InferenceSession s = new InferenceSession(model, n, 4)) {
      ReferenceLlama64 ref = reference(model, b, rope);
      int[] pos = new int[n];
      for (int i = 0; i < n; i++) pos[i] = i;
      double[][] logits = ref.logits(1, n, tokens, pos);
      double[] lp = s.appendAndScore(tokens, -1);
      assertEquals(n - 1, lp.length);
      for (int i = 0; i + 1 < n; i++) {
        double want = ref.logSoftmax(logits[i])[tokens[i + 1]];
        assertEquals(want, lp[i], 1e-5 * Math.max(1, Math.abs(want)), "log p at " + i);
      }
    }
  }

  @Test
  void decodingTokenByTokenEqualsOnePrefill() {
    LlamaConfig c = TinyModels.config(19, true, false, 0.3);
    RopeScaling rope = RopeSpec.of(RopeType.YARN, c.headDim(), 10000, 4, 8).build();
    int n = 9;
    int[] tokens = new SplittableRandom(6).ints(n, 0, c.vocabSize()).toArray();
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 4), rope);
        InferenceSession whole = new InferenceSession(model, n);
        InferenceSession step = new InferenceSession(model, n)) {
      float[] all = whole.append(tokens, InferenceSession.Logits.ALL);
      for (int i = 0; i < n; i++) {
        float[] row = step.append(new int[] {tokens[i]}, InferenceSession.Logits.LAST);
        float[] want = java.util.Arrays.copyOfRange(all, i * c.vocabSize(), (i + 1) * c.vocabSize());
        double err = 0, norm = 0;
        for (int v = 0; v < row.length; v++) {
          err += (row[v] - want[v]) * (row[v] - want[v]);
          norm += want[v] * want[v];
        }
        assertTrue(Math.sqrt(err / norm) < 1e-5, "row " + i + " rel err " + Math.sqrt(err / norm));
      }
      assertEquals(n, step.length());
      step.reset();
      assertArrayEquals(step.append(tokens, InferenceSession.Logits.LAST),
          java.util.Arrays.copyOfRange(all, (n - 1) * c.vocabSize(), n * c.vocabSize()), 1e-5f);
    }
  }

  static ReferenceLlama64 reference(LlamaModel model, CpuBackend b, RopeScaling rope) {
    Map<String, double[]> w = new LinkedHashMap<>();
    model.weights().byName().forEach((name, t) -> w.put(name, ModelGradientTest.toDouble(b.download(t))));
    return new ReferenceLlama64(model.config(), w, rope);
  }
}
