package io.cream.train;

import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.io.DType;
import io.cream.io.SafeTensor;
import io.cream.io.SafeTensorsReader;
import io.cream.io.TensorToWrite;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.WeightsIO;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** AdamW's two moments for every parameter, saved beside a checkpoint as float32 safetensors. */
public final class OptimizerState implements AutoCloseable {
  public static final String FILE = "optimizer.safetensors";
  private final LlamaWeights m, v;

  private OptimizerState(LlamaWeights m, LlamaWeights v) {
    this.m = m;
    this.v = v;
  }

  public static OptimizerState zeros(LlamaConfig config, Backend backend) {
    return new OptimizerState(LlamaWeights.zeros(config, backend), LlamaWeights.zeros(config, backend));
  }

  public LlamaWeights m() {
    return m;
  }

  public LlamaWeights v() {
    return v;
  }

  public void save(Path dir, LlamaConfig config, Backend backend) throws IOException {
    Map<String, TensorToWrite> out = new LinkedHashMap<>();
    for (ParamLayout.Param p : ParamLayout.of(config)) {
      out.put("m." + p.name(), new TensorToWrite(DType.F32, p.hfShape(), backend.download(m.byName().get(p.name()))));
      out.put("v." + p.name(), new TensorToWrite(DType.F32, p.hfShape(), backend.download(v.byName().get(p.name()))));
    }
    io.cream.io.SafeTensorsWriter.writeFile(dir.resolve(FILE), out);
  }

  public static OptimizerState load(Path dir, LlamaConfig config, Backend backend) {
    try (SafeTensorsReader r = SafeTensorsReader.open(dir.resolve(FILE))) {
      LlamaWeights m = LlamaWeights.create(config, p -> upload(r, "m." + p.name(), p, backend));
      LlamaWeights v = LlamaWeights.create(config, p -> upload(r, "v." + p.name(), p, backend));
      return new OptimizerState(m, v);
    }
  }

  private static Tensor upload(SafeTensorsReader r, String name, ParamLayout.Param p, Backend backend) {
    SafeTensor t = r.find(name).orElseThrow(() -> new UserError(
        "optimizer state lacks '" + name + "': the checkpoint does not match this model; start a new --out"));
    return backend.upload(WeightsIO.requireFinite(t.toFloatArray(), name, r.source()), p.rows(), p.cols());
  }

  @Override
  public void close() {
    m.close();
    v.close();
  }
}
