package io.cream.bench;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Collective;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.MemoryEstimate;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import io.cream.rope.RopeSpec;
import io.cream.train.TrainState;
import io.cream.train.TrainStep;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training-step throughput of a model shape with random weights: the trainer's own step
 * ({@link TrainStep}: zero gradients, forward + backward, global-norm clipping, AdamW on every
 * parameter through a {@link TrainState}) on random tokens, timed to the device's completion.
 * Optionally one more step with every op timed.
 */
public final class TrainBench {
  /** What to measure. optimizer false skips AdamW and its two moments (memory: weights + gradients). */
  public record Options(int batch, int seqLen, int steps, int warmup, boolean recompute, boolean optimizer,
      boolean profile, long seed) {}

  /** Step times in ms (timed steps only), model FLOPs per step, peak device bytes (-1 unknown), op table. */
  public record Result(double[] stepMillis, double flopsPerStep, long tokensPerStep, long peakBytes,
      Map<String, double[]> ops) {
    public double medianMillis() {
      double[] s = stepMillis.clone();
      Arrays.sort(s);
      int h = s.length / 2;
      return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }

    public double tokensPerSecond() {
      return tokensPerStep / (medianMillis() / 1e3);
    }

    /** Achieved model TFLOP/s at the median step. */
    public double tflops() {
      return flopsPerStep / (medianMillis() / 1e3) / 1e12;
    }
  }

  private TrainBench() {}

  public static Result run(LlamaConfig c, Backend device, Options o) {
    OpProfiler b = new OpProfiler(device);
    RopeSpec rope = RopeSpec.defaults(c.headDim(), c.ropeTheta(), c.maxPositionEmbeddings());
    // The trainer's state on the device, the passes reading the fp32 masters (no bf16 copies).
    try (TrainState state = o.optimizer()
            ? TrainState.create(c, b, false, false, BenchWeights.values(o.seed()), false, null, null) : null;
        LlamaWeights plain = state == null ? BenchWeights.random(c, b, o.seed()) : null;
        LlamaWeights grads = LlamaWeights.zeros(c, b)) {
      LlamaModel model = new LlamaModel(c, b, state != null ? state.weights() : plain, rope.build());
      try (TrainingPass pass = new TrainingPass(model, grads, o.batch(), o.seqLen(), o.recompute())) {
        TrainBatch[] data = {randomBatch(c, o, new SplittableRandom(o.seed()))};
        AdamWConfig adam = new AdamWConfig(1e-5f, 0.9f, 0.999f, 1e-8f, 0f);
        TrainStep trainStep = state != null ? TrainStep.adamW(b, pass, grads, state, Collective.single())
            : TrainStep.clipOnly(b, pass, grads);
        Runnable step = new Runnable() {
          long t = 0;

          @Override
          public void run() {
            trainStep.run(data, adam, ++t, 1.0); // as the trainer steps
            device.synchronize();
          }
        };
        for (int i = 0; i < o.warmup(); i++) step.run();
        double[] millis = new double[o.steps()];
        for (int i = 0; i < o.steps(); i++) {
          long t0 = System.nanoTime();
          step.run();
          millis[i] = (System.nanoTime() - t0) / 1e6;
        }
        long peak = device.peakBytes();
        Map<String, double[]> ops = Map.of();
        if (o.profile()) {
          b.setEnabled(true);
          step.run();
          b.setEnabled(false);
          ops = b.totals();
        }
        return new Result(millis, ModelShapes.trainFlops(c, o.batch(), o.seqLen()), (long) o.batch() * o.seqLen(), peak, ops);
      }
    }
  }

  static TrainBatch randomBatch(LlamaConfig c, Options o, SplittableRandom rng) {
    int n = o.batch() * o.seqLen();
    int[] tokens = rng.ints(n, 0, c.vocabSize()).toArray();
    int[] positions = new int[n];
    for (int i = 0; i < n; i++) positions[i] = i % o.seqLen();
    return new TrainBatch(o.batch(), o.seqLen(), tokens, positions, TrainBatch.nextTokenTargets(tokens, o.batch(), o.seqLen()));
  }

  /** Bytes the run needs on the device, from config.json alone (see {@link MemoryEstimate}). */
  public static long estimateBytes(LlamaConfig c, Options o, int matmulInputBytes) {
    return MemoryEstimate.training(c, o.batch(), o.seqLen(), o.recompute(), o.optimizer(), matmulInputBytes).total();
  }
}
