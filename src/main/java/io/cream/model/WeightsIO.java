package io.cream.model;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.io.DType;
import io.cream.io.SafeTensor;
import io.cream.io.SafeTensorsReader;
import io.cream.io.TensorToWrite;
import io.cream.util.UserError;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Moves model parameters between safetensors files and a backend. */
public final class WeightsIO {
  private WeightsIO() {}

  /**
   * Loads every parameter the config needs from the checkpoint's tensors; a missing tensor or a
   * wrong shape is a UserError naming it. With tied embeddings a stored lm_head is ignored.
   */
  public static LlamaWeights load(LlamaConfig config, SafeTensorsReader tensors, Backend backend) {
    return LlamaWeights.create(config, p -> {
      if (!tensors.names().contains(p.name())) {
        throw new UserError("checkpoint lacks tensor '" + p.name() + "' required by config.json"
            + " (is it a Llama-family checkpoint with the same shapes?)");
      }
      SafeTensor t = tensors.get(p.name());
      long[] want = p.hfShape();
      if (!Arrays.equals(t.shape(), want)) {
        throw new UserError("tensor '" + p.name() + "' has shape " + Arrays.toString(t.shape())
            + " but config.json implies " + Arrays.toString(want));
      }
      return backend.upload(t.toFloatArray(), p.rows(), p.cols());
    });
  }

  /** Downloads parameters into tensors ready for the safetensors writer, in the given dtype. */
  public static Map<String, TensorToWrite> toWrite(
      LlamaConfig config, LlamaWeights weights, Backend backend, DType dtype) {
    Map<String, TensorToWrite> out = new LinkedHashMap<>();
    for (ParamLayout.Param p : ParamLayout.of(config)) {
      Tensor t = weights.byName().get(p.name());
      out.put(p.name(), new TensorToWrite(dtype, p.hfShape(), backend.download(t)));
    }
    return out;
  }
}
