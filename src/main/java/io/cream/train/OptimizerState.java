package io.cream.train;

import io.cream.io.DType;
import io.cream.io.SafeTensor;
import io.cream.io.SafeTensorsReader;
import io.cream.io.SafeTensorsWriter;
import io.cream.io.TensorToWrite;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamValues;
import io.cream.model.WeightsIO;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW's two moments for every parameter, saved beside a checkpoint as float32 safetensors
 * ({@code m.NAME} and {@code v.NAME}), the same whether they lived on the device or in host
 * memory during the run ({@link TrainState}).
 */
final class OptimizerState {
  static final String FILE = "optimizer.safetensors";

  private OptimizerState() {}

  /**
   * Writes the moments of every parameter, read from m and v, into dir/optimizer.safetensors; each
   * is read only when the writer reaches it, so the heap holds one at a time.
   */
  static void save(Path dir, LlamaConfig config, ParamValues m, ParamValues v) throws IOException {
    SafeTensorsWriter.writeFile(dir.resolve(FILE), toWrite(config, m, v));
  }

  /** The moments as the tensors of optimizer.safetensors ({@code m.NAME}, {@code v.NAME}), read when written. */
  static Map<String, TensorToWrite> toWrite(LlamaConfig config, ParamValues m, ParamValues v) {
    Map<String, TensorToWrite> out = new LinkedHashMap<>(WeightsIO.toWrite(config, DType.F32, "m.", m));
    out.putAll(WeightsIO.toWrite(config, DType.F32, "v.", v));
    return out;
  }

  /** The moment {@code "m"} or {@code "v"} of each parameter from an open optimizer file. */
  static ParamValues values(SafeTensorsReader r, String moment) {
    return p -> {
      String name = moment + "." + p.name();
      SafeTensor t = r.find(name).orElseThrow(() -> new UserError("optimizer state lacks '" + name
          + "': the checkpoint does not match this model; start a new --out"));
      return WeightsIO.requireFinite(t.toFloatArray(), name, r.source());
    };
  }
}
