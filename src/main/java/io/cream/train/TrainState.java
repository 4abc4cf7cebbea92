package io.cream.train;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.io.DType;
import io.cream.io.TensorToWrite;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.ParamValues;
import io.cream.model.WeightsIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a run trains and where each copy lives: the weights the passes read (on the backend), the
 * fp32 master weights and AdamW moments the optimizer updates, and the step between them.
 *
 * <ul>
 *   <li>{@link DeviceTrainState}: masters and moments on the device; the passes read the masters,
 *       or, where the backend multiplies in bf16, bf16 copies of the matrices refreshed after
 *       each step.
 *   <li>{@link HostTrainState} ({@code --offload optimizer}): masters and moments in host memory;
 *       the device keeps the passes' weights (bf16 matrices in bf16 mode) and the gradients, which
 *       are copied to the host for an AdamW step on the CPU, the new weights copied back.
 * </ul>
 *
 * Both take the same step: clipping by the global norm of all gradients, then AdamW with the same
 * float operations, so a run's numbers do not depend on where the optimizer state lives
 * (bit-identical on the CPU backend, tested; on a GPU the CUDA AdamW kernels are bit-identical to
 * the CPU's too). Checkpoints hold the masters and moments the same way in both. Public (its
 * factory and the passes' weights) so that {@code cream bench train} times the trainer's own
 * state and {@link TrainStep}.
 */
public abstract sealed class TrainState implements AutoCloseable permits DeviceTrainState, HostTrainState {
  protected final LlamaConfig config;
  protected final Backend backend;

  TrainState(LlamaConfig config, Backend backend) {
    this.config = config;
    this.backend = backend;
  }

  /**
   * The state of a run: weights from {@code weights}, moments from m and v (null: zeros), the
   * optimizer state in host memory when {@code offload}; with {@code copies} the passes read
   * {@link Backend#matmulWeight} copies of the matrices (always with offload: the device holds no
   * masters). {@code parallel}: weights may be read from several threads at once (a fresh
   * initialisation).
   */
  public static TrainState create(LlamaConfig config, Backend backend, boolean offload, boolean copies,
      ParamValues weights, boolean parallel, ParamValues m, ParamValues v) {
    return offload ? HostTrainState.create(config, backend, weights, parallel, m, v)
        : DeviceTrainState.create(config, backend, weights, parallel, m, v, copies);
  }

  /** Parameters the passes only multiply with (linear layers' w): the rest feed other ops. */
  static boolean matrix(ParamLayout.Param p) {
    return !p.vector() && !p.name().equals(ParamLayout.EMBED);
  }

  /** A device tensor for the passes: a {@link Backend#matmulWeight} for a matrix. */
  static Tensor passTensor(Backend b, ParamLayout.Param p) {
    return matrix(p) ? b.matmulWeight(p.rows(), p.cols()) : b.zeros(p.rows(), p.cols());
  }

  /** Parameters at a time a fresh initialisation computes ahead. */
  static int ahead() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /** The weights the passes read, on the backend. */
  public abstract LlamaWeights weights();

  /**
   * Clips by the global norm of grads (when maxNorm > 0 and the norm exceeds it) and takes one
   * AdamW step at step t; returns the norm before clipping. A norm that is not finite changes
   * nothing. On return the passes' weights are the new ones.
   */
  abstract double step(List<Tensor> grads, AdamWConfig cfg, long t, double maxNorm);

  /** Each parameter's fp32 master values. */
  abstract ParamValues masters();

  /** Each parameter's moment m or v. */
  abstract ParamValues moment(boolean first);

  /** Σ over parameters of (i + 1)·Σ master² (ranks compare it; deterministic for a backend). */
  abstract double digest();

  /** Where the optimizer state lives, for logs. */
  abstract String describe();

  /**
   * The master weights as tensors to write in dtype, each read (downloaded, or copied out of host
   * memory) only when the writer reaches it: saving holds one parameter in the heap at a time.
   */
  final Map<String, TensorToWrite> toWrite(DType dtype) {
    return WeightsIO.toWrite(config, dtype, "", masters());
  }

  /** The moments into dir/optimizer.safetensors, one parameter's at a time. */
  final void saveOptimizer(Path dir) throws IOException {
    OptimizerState.save(dir, config, moment(true), moment(false));
  }

  @Override
  public abstract void close();
}
