package io.cream.model;

import io.cream.backend.Backend;
import io.cream.io.HfCheckpoint;
import io.cream.rope.RopeSpec;
import java.nio.file.Path;

/** Loads a Hugging Face checkpoint folder onto a backend. */
public final class ModelLoader {
  private ModelLoader() {}

  /**
   * The model in {@code dir} with the RoPE scaling its config.json declares, or {@code ropeOverride}
   * when given (e.g. to run a 4K model with linear interpolation at 32K without fine-tuning).
   */
  public static LlamaModel load(Path dir, Backend backend, RopeSpec ropeOverride) {
    try (HfCheckpoint ckpt = HfCheckpoint.open(dir)) {
      LlamaConfig config = ckpt.config();
      RopeSpec rope = ropeOverride != null ? ropeOverride : RopeSpec.fromHfConfig(config.raw());
      MemoryEstimate.weights(config).requireFits(backend, "use a device with more memory");
      LlamaWeights weights = WeightsIO.load(config, ckpt.tensors(), backend);
      return new LlamaModel(config, backend, weights, rope.build());
    }
  }

  /**
   * The window the model runs in with this RoPE: the override's target (factor × its original
   * window), else config.json's max_position_embeddings (its rope_scaling's target).
   */
  public static int window(Path dir, RopeSpec ropeOverride) {
    if (ropeOverride != null) return ropeOverride.maxPositionEmbeddings();
    LlamaConfig c = LlamaConfig.read(dir.resolve("config.json"));
    return Math.max(c.maxPositionEmbeddings(), RopeSpec.fromHfConfig(c.raw()).maxPositionEmbeddings());
  }
}
