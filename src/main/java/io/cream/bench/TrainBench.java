package io.cream.bench;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.model.MemoryEstimate;
import io.cream.model.TrainBatch;
import io.cream.model.TrainingPass;
import io.cream.rope.RopeSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Training-step throughput of a model shape with random weights: what {@code Trainer} does per
 * step (zero gradients, forward + backward, global-norm clipping, AdamW on every parameter) on
 * random tokens, timed to the device's completion. Optionally one more step with every op timed.
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
    try (LlamaWeights w = BenchWeights.random(c, b, o.seed());
        LlamaWeights grads = LlamaWeights.zeros(c, b);
        LlamaWeights m = o.optimizer() ? LlamaWeights.zeros(c, b) : null;
        LlamaWeights v = o.optimizer() ? LlamaWeights.zeros(c, b) : null) {
      LlamaModel model = new LlamaModel(c, b, w, rope.build());
      try (TrainingPass pass = new TrainingPass(model, grads, o.batch(), o.seqLen(), o.recompute())) {
        TrainBatch data = randomBatch(c, o, new SplittableRandom(o.seed()));
        AdamWConfig adam = new AdamWConfig(1e-5f, 0.9f, 0.999f, 1e-8f, 0f);
        List<Tensor> params = w.all(), g = grads.all();
        List<Tensor> ms = m == null ? null : m.all(), vs = v == null ? null : v.all();
        Runnable step = new Runnable() {
          long t = 0;

          @Override
          public void run() {
            g.forEach(b::zero);
            pass.forwardBackward(data, 1f / data.rows());
            t++;
            if (ms != null) {
              b.clipAndAdamW(params, g, ms, vs, adam, t, 1.0); // as the trainer steps
            } else {
              double norm = Math.sqrt(b.sumOfSquares(g));
              if (norm > 1) g.forEach(x -> b.scale(x, (float) (1 / norm)));
            }
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
