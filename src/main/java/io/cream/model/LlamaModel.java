package io.cream.model;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeTables;

/**
 * A Llama-family model on one backend: its config, weights and RoPE scaling. Training passes
 * ({@link TrainingPass}) and inference sessions ({@link InferenceSession}) run on it.
 */
public final class LlamaModel implements AutoCloseable {
  private final LlamaConfig config;
  private final Backend backend;
  private final LlamaWeights weights;
  private final RopeScaling rope;

  public LlamaModel(LlamaConfig config, Backend backend, LlamaWeights weights, RopeScaling rope) {
    this.config = config;
    this.backend = backend;
    this.weights = weights;
    this.rope = rope;
  }

  public LlamaConfig config() {
    return config;
  }

  public Backend backend() {
    return backend;
  }

  public LlamaWeights weights() {
    return weights;
  }

  public RopeScaling rope() {
    return rope;
  }

  /**
   * Uploads cos and sin tables [positions.length × headDim/2] for the given position ids, computed
   * in float64 for a sequence of length seqLen (dynamic scaling depends on it).
   */
  Tensor[] ropeTables(int[] positions, int seqLen) {
    RopeTables t = RopeTables.compute(rope, positions, seqLen);
    int half = config.headDim() / 2;
    return new Tensor[] {
      backend.upload(t.cos(), positions.length, half), backend.upload(t.sin(), positions.length, half)
    };
  }

  @Override
  public void close() {
    weights.close();
  }
}
