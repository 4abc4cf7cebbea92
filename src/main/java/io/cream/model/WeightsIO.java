package io.cream.model;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.io.DType;
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
   * Each parameter's values from the checkpoint's tensors, checked as {@link #load} checks them:
   * tensors the config does not describe, missing tensors and wrong shapes are refused at once
   * (from the header: nothing is read), NaN and infinities as each tensor is read. Valid while
   * tensors is open.
   */
  public static ParamValues values(LlamaConfig config, SafeTensorsReader tensors) {
    requireNoUnknownTensors(config, tensors);
    for (ParamLayout.Param p : ParamLayout.of(config)) {
      if (!tensors.names().contains(p.name())) {
        throw new UserError("checkpoint lacks tensor '" + p.name() + "' required by config.json"
            + " (is it a Llama-family checkpoint with the same shapes?)");
      }
      long[] shape = tensors.get(p.name()).shape(), want = p.hfShape();
      if (!Arrays.equals(shape, want)) {
        throw new UserError("tensor '" + p.name() + "' has shape " + Arrays.toString(shape)
            + " but config.json implies " + Arrays.toString(want));
      }
    }
    return p -> requireFinite(tensors.get(p.name()).toFloatArray(), p.name(), tensors.source());
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

  /**
   * The parameters as tensors for the safetensors writer, in the given dtype, each downloaded only
   * when the writer reaches it (so the weights must stay open until it has written them).
   */
  public static Map<String, TensorToWrite> toWrite(
      LlamaConfig config, LlamaWeights weights, Backend backend, DType dtype) {
    Map<String, Tensor> byName = weights.byName();
    return toWrite(config, dtype, "", p -> backend.download(byName.get(p.name())));
  }

  /**
   * Each parameter as {@code prefix + name}, its values read from {@code values} only when the
   * writer reaches it: a file of a model's tensors holds one in the heap at a time.
   */
  public static Map<String, TensorToWrite> toWrite(LlamaConfig config, DType dtype, String prefix,
      ParamValues values) {
    Map<String, TensorToWrite> out = new LinkedHashMap<>();
    for (ParamLayout.Param p : ParamLayout.of(config)) {
      out.put(prefix + p.name(), TensorToWrite.later(dtype, p.hfShape(), () -> values.of(p)));
    }
    return out;
  }
}
