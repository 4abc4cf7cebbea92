package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.cpu.CpuBackend;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The head over chunks of rows (logits chunk → loss and dlogits → dn rows and lm_head's gradient)
 * equals the head over all rows at once: the same loss and gradients to float rounding (a chunk's
 * product may take another GEMM kernel than all rows' (a skinny one for few rows) and add in
 * another order; the loss sums and lm_head's gradient add up chunk by chunk), with an ignored
 * target in a chunk. One chunk of all rows is the unchunked code path: identical bits.
 */
class ChunkedCrossEntropyTest {
  @ParameterizedTest(name = "tied={0} recompute={1} logitsRows={2}")
  @CsvSource({"false,false,5", "true,false,1", "false,true,7", "true,true,11", "false,false,12"})
  void chunksGiveTheWholeHeadsLossAndGradients(boolean tied, boolean recompute, int logitsRows) {
    LlamaConfig c = TinyModels.config(41, tied, false, 0.3);
    RopeScaling rope = RopeSpec.of(RopeType.LINEAR, c.headDim(), 10000, 4, 8).build();
    int batch = 2, seqLen = 6, rows = batch * seqLen;
    SplittableRandom rng = new SplittableRandom(5);
    int[] tokens = rng.ints(rows, 0, c.vocabSize()).toArray();
    int[] pos = {0, 1, 2, 20, 21, 31, 0, 5, 6, 7, 30, 31};
    int[] targets = TrainBatch.nextTokenTargets(tokens, batch, seqLen);
    targets[2] = -1; // an ignored row inside the first chunk
    TrainBatch data = new TrainBatch(batch, seqLen, tokens, pos, targets);
    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 9), rope);
        LlamaWeights whole = LlamaWeights.zeros(c, b);
        LlamaWeights chunked = LlamaWeights.zeros(c, b);
        TrainingPass a = new TrainingPass(model, whole, batch, seqLen, recompute, rows);
        TrainingPass z = new TrainingPass(model, chunked, batch, seqLen, recompute, logitsRows)) {
      CrossEntropyLoss la = a.forwardBackward(data, 0.25f), lz = z.forwardBackward(data, 0.25f);
      assertEquals(la.count(), lz.count());
      assertEquals(la.sum(), lz.sum(), 1e-7 * Math.abs(la.sum()));
      assertEquals(a.loss(data).sum(), z.loss(data).sum(), 1e-7 * Math.abs(la.sum()));
      if (logitsRows == rows) assertEquals(la.sum(), lz.sum(), 0.0);
      double worst = 0;
      for (String name : whole.byName().keySet()) {
        float[] x = b.download(whole.byName().get(name)), y = b.download(chunked.byName().get(name));
        double num = 0, den = 0;
        for (int i = 0; i < x.length; i++) {
          num += (x[i] - y[i]) * (double) (x[i] - y[i]);
          den += x[i] * (double) x[i];
        }
        assertTrue(den > 0, name + " has a gradient");
        double rel = Math.sqrt(num / den);
        worst = Math.max(worst, rel);
        assertTrue(rel < 1e-5, name + ": " + rel);
        if (logitsRows == rows) assertArrayEquals(x, y, 0f, name); // one chunk: the same code path
      }
      System.out.printf("chunks of %d rows: loss rel. diff %.2e, worst gradient rel. diff %.2e%n", logitsRows,
          Math.abs(la.sum() - lz.sum()) / la.sum(), worst);
    }
  }
}
