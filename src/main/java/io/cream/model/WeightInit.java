package io.cream.model;

import io.cream.backend.Backend;
import java.util.SplittableRandom;

/**
 * Fresh weights for pre-training from scratch, as Hugging Face initialises Llama: every matrix
 * from N(0, initializer_range²) (config key, default 0.02), norms at 1, biases at 0. Deterministic
 * for a seed: each parameter draws from its own stream, so adding a layer leaves others unchanged.
 */
public final class WeightInit {
  private WeightInit() {}

  public static LlamaWeights random(LlamaConfig config, Backend backend, long seed) {
    ParamValues values = values(config, seed);
    return LlamaWeights.create(config, p -> backend.upload(values.of(p), p.rows(), p.cols()));
  }

  /** Each parameter's initial values; a pure function of config, seed and the parameter's name. */
  public static ParamValues values(LlamaConfig config, long seed) {
    double std = config.raw().path("initializer_range").asDouble(0.02);
    return p -> {
      float[] data = new float[Math.toIntExact(p.size())];
      if (p.name().endsWith("norm.weight")) {
        java.util.Arrays.fill(data, 1f);
      } else if (!p.name().endsWith(".bias")) {
        SplittableRandom rng = new SplittableRandom(seed ^ (p.name().hashCode() * 0x9E3779B97F4A7C15L));
        for (int i = 0; i < data.length; i++) data[i] = (float) (rng.nextGaussian() * std);
      }
      return data;
    };
  }
}
