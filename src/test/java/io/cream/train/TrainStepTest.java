package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Collective;
import io.cream.backend.cpu.CpuBackend;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import io.cream.model.WeightInit;
import io.cream.rope.RopeSpec;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The step the trainer takes and the benchmark times: the loss is scaled by the step's token
 * count, so two micro-batches step as their union in one; without optimizer state it only clips.
 */
class TrainStepTest {
  static final int SEQ = 8;
  static final AdamWConfig ADAM = new AdamWConfig(3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f);

  /** Sequences of random tokens at positions 0 … SEQ−1, the last of each sequence with no target. */
  static TrainBatch batch(LlamaConfig c, int[] tokens, int rows) {
    int[] positions = new int[tokens.length];
    for (int i = 0; i < positions.length; i++) positions[i] = i % SEQ;
    return new TrainBatch(rows, SEQ, tokens, positions, TrainBatch.nextTokenTargets(tokens, rows, SEQ));
  }

  /** The outcome of one step over micro, on a fresh state of seed 5; the masters after it in masters. */
  static TrainStep.Outcome step(CpuBackend b, LlamaConfig c, TrainBatch[] micro, boolean optimizer,
      float[][] masters) {
    RopeSpec rope = RopeSpec.defaults(c.headDim(), c.ropeTheta(), c.maxPositionEmbeddings());
    try (TrainState state = TrainState.create(c, b, false, false, WeightInit.values(c, 5), false, null, null);
        LlamaWeights grads = LlamaWeights.zeros(c, b)) {
      LlamaModel model = new LlamaModel(c, b, state.weights(), rope.build());
      try (TrainingPass pass = new TrainingPass(model, grads, micro[0].batch(), SEQ, false)) {
        TrainStep step = optimizer ? TrainStep.adamW(b, pass, grads, state, Collective.single())
            : TrainStep.clipOnly(b, pass, grads);
        TrainStep.Outcome out = step.run(micro, ADAM, 1, 0.5);
        var params = ParamLayout.of(c);
        for (int i = 0; i < params.size(); i++) masters[i] = state.masters().of(params.get(i));
        if (!optimizer) assertTrue(Math.sqrt(b.sumOfSquares(grads.all())) <= 0.5 * (1 + 1e-5), "clipped");
        return out;
      }
    }
  }

  @Test
  void twoMicroBatchesStepAsTheirUnionAndClipOnlyChangesNoWeight() {
    LlamaConfig c = TrainStateTest.config(false);
    int[] tokens = new SplittableRandom(3).ints(2 * SEQ, 0, c.vocabSize()).toArray();
    TrainBatch[] apart = {
      batch(c, Arrays.copyOfRange(tokens, 0, SEQ), 1), batch(c, Arrays.copyOfRange(tokens, SEQ, 2 * SEQ), 1)};
    TrainBatch[] together = {batch(c, tokens, 2)};
    int n = ParamLayout.of(c).size();
    float[][] a = new float[n][], t = new float[n][], none = new float[n][], init = new float[n][];
    try (CpuBackend b = new CpuBackend()) {
      TrainStep.Outcome oa = step(b, c, apart, true, a);
      TrainStep.Outcome ot = step(b, c, together, true, t);
      assertEquals(2L * (SEQ - 1), oa.loss().count());
      assertEquals(ot.loss().count(), oa.loss().count());
      assertEquals(ot.loss().mean(), oa.loss().mean(), 1e-6 * ot.loss().mean());
      assertEquals(ot.norm(), oa.norm(), 1e-5 * ot.norm());
      assertTrue(oa.finite() && oa.norm() > 0.5, "the step clips: norm " + oa.norm());
      for (int i = 0; i < n; i++) assertArrayEquals(t[i], a[i], 1e-6f, "parameter " + i);

      TrainStep.Outcome on = step(b, c, together, false, none);
      assertEquals(ot.norm(), on.norm(), 0.0, "the same gradients");
      var params = ParamLayout.of(c);
      for (int i = 0; i < n; i++) init[i] = WeightInit.values(c, 5).of(params.get(i));
      for (int i = 0; i < n; i++) assertArrayEquals(init[i], none[i], 0f, "unchanged parameter " + i);
      boolean moved = false;
      for (int i = 0; i < n; i++) moved |= !Arrays.equals(init[i], t[i]);
      assertTrue(moved, "AdamW moved the weights");
    }
  }

  @Test
  void aStepWithNoTrainedTokenChangesNoWeightAndIsNotADivergence() {
    LlamaConfig c = TrainStateTest.config(false);
    int[] tokens = new SplittableRandom(4).ints(2 * SEQ, 0, c.vocabSize()).toArray();
    int[] positions = new int[tokens.length];
    for (int i = 0; i < positions.length; i++) positions[i] = i % SEQ;
    int[] noTargets = new int[tokens.length];
    Arrays.fill(noTargets, -1); // every target masked, as when no sample read a completion
    TrainBatch[] micro = {new TrainBatch(2, SEQ, tokens, positions, noTargets)};
    int n = ParamLayout.of(c).size();
    float[][] after = new float[n][];
    try (CpuBackend b = new CpuBackend()) {
      TrainStep.Outcome out = step(b, c, micro, true, after);
      assertTrue(!out.trained() && out.finite(), "an empty step, not a divergence");
      assertEquals(0L, out.loss().count());
      assertEquals(0.0, out.norm());
      var params = ParamLayout.of(c);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(WeightInit.values(c, 5).of(params.get(i)), after[i], 0f, "unchanged parameter " + i);
      }
    }
  }
}
