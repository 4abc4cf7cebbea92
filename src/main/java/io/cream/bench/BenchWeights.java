package io.cream.bench;

import io.cream.backend.Backend;
import io.cream.util.Parallel;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamValues;
import java.util.SplittableRandom;

/**
 * Random weights for speed measurements, fast enough for 7B shapes: matrices uniform in ±0.02·√3
 * (standard deviation 0.02, HF's initializer range), filled in parallel blocks each with its own
 * seeded stream; norms at 1. Numerically like a fresh model, not like a trained one.
 */
public final class BenchWeights {
  private static final int BLOCK = 1 << 16;

  private BenchWeights() {}

  public static LlamaWeights random(LlamaConfig config, Backend backend, long seed) {
    ParamValues values = values(seed);
    return LlamaWeights.create(config, p -> backend.upload(values.of(p), p.rows(), p.cols()));
  }

  /** The values {@link #random} uploads, one parameter per call (a training state loads them). */
  public static ParamValues values(long seed) {
    float range = (float) (0.02 * Math.sqrt(3));
    return p -> {
      float[] data = new float[Math.toIntExact(p.size())];
      boolean norm = p.name().endsWith("norm.weight");
      long streamSeed = seed * 1_000_003L + p.name().hashCode();
      Parallel.forRange((data.length + BLOCK - 1) / BLOCK, 1, (start, end) -> {
        for (int blk = start; blk < end; blk++) {
          SplittableRandom rng = new SplittableRandom(streamSeed * 31 + blk);
          int to = Math.min(data.length, (blk + 1) * BLOCK);
          for (int i = blk * BLOCK; i < to; i++) data[i] = norm ? 1f : (rng.nextFloat() * 2 - 1) * range;
        }
      });
      return data;
    };
  }
}
