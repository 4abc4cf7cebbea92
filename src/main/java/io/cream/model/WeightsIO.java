package io.cream.model;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.io.DType;
import io.cream.io.SafeTensor;
import io.cream.io.SafeTensorsReader;
import io.cream.io.TensorToWrite;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.LinkedHashMap;
import java.util.Map;

/** Moves model parameters between safetensors files and a backend. */
public final class WeightsIO {
  private WeightsIO() {}

  /**
   * Loads every parameter the config needs from the checkpoint's tensors. A missing tensor, a wrong
   * shape, a value that is NaN or infinite, or a tensor the config does not describe (one cream
   * would ignore, such as a bias it does not compute) is a UserError naming it. Two tensors are
   * left aside as transformers leaves them: lm_head with tied embeddings, and rotary_emb.inv_freq
   * buffers (recomputed from config.json).
   */
  public static LlamaWeights load(LlamaConfig config, SafeTensorsReader tensors, Backend backend) {
    ParamValues values = values(config, tensors);
    return LlamaWeights.create(config, p -> backend.upload(values.of(p), p.rows(), p.cols()));
  }

  /**
   * Each parameter's values from the checkpoint's tensors, checked as {@link #load} checks them
   * (tensors the config does not describe are refused at once, the others as they are read).
   * Valid while tensors is open.
   */
  public static ParamValues values(LlamaConfig config, SafeTensorsReader tensors) {
    requireNoUnknownTensors(config, tensors);
    return p -> {
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
      return requireFinite(t.toFloatArray(), p.name(), tensors.source());
    };
  }

  /**
   * The values, checked: a NaN or infinity in a tensor (a damaged checkpoint, or one saved from a
   * diverged run) is a UserError naming the tensor and the file.
   */
  public static float[] requireFinite(float[] values, String name, Path file) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new UserError("tensor '" + name + "' in " + file + " holds " + values[i] + " (element " + i
            + " of " + values.length + "): the checkpoint is damaged or comes from a diverged run; use"
            + " an earlier checkpoint");
      }
    }
    return values;
  }

  private static void requireNoUnknownTensors(LlamaConfig config, SafeTensorsReader tensors) {
    Set<String> known = new HashSet<>();
    for (ParamLayout.Param p : ParamLayout.of(config)) known.add(p.name());
    for (String name : new TreeSet<>(tensors.names())) {
      boolean ignoredByHf = name.endsWith(".rotary_emb.inv_freq")
          || (config.tieWordEmbeddings() && name.equals(ParamLayout.LM_HEAD));
      if (!known.contains(name) && !ignoredByHf) {
        throw new UserError("checkpoint " + tensors.source() + " holds tensor '" + name + "', which its"
            + " config.json does not describe and cream would ignore; it is not a model cream can run"
            + " exactly (a bias or layer cream does not compute, or a config.json from another model)");
      }
    }
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
