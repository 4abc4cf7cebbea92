package io.cream.train;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Tensor;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.ParamValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Masters, moments and gradients on the device: one {@link Backend#clipAndAdamW} per step (a few
 * kernels and one wait on a GPU). With {@code copies} (bf16 mode) the passes read
 * {@link Backend#matmulWeight} copies of the matrices, written from the masters after loading and
 * after every step ({@link Backend#copy}: rounded to bf16 once per step instead of once per
 * product); norms and the embedding are read from the masters themselves.
 */
final class DeviceTrainState extends TrainState {
  private final LlamaWeights master, m, v, weights;
  private final List<Tensor[]> copies = new ArrayList<>(); // {master, copy} pairs

  private DeviceTrainState(LlamaConfig config, Backend backend, LlamaWeights master, LlamaWeights m,
      LlamaWeights v, boolean copy) {
    super(config, backend);
    this.master = master;
    this.m = m;
    this.v = v;
    if (!copy) {
      weights = master;
      return;
    }
    Map<String, Tensor> made = new HashMap<>();
    try {
      weights = LlamaWeights.create(config, p -> {
        Tensor t = master.byName().get(p.name());
        if (!matrix(p)) return t;
        Tensor c = backend.matmulWeight(p.rows(), p.cols());
        made.put(p.name(), c);
        copies.add(new Tensor[] {t, c});
        return c;
      });
    } catch (RuntimeException e) {
      made.values().forEach(Tensor::close);
      throw e;
    }
    refresh();
  }

  static DeviceTrainState create(LlamaConfig c, Backend b, ParamValues weights, boolean parallel,
      ParamValues m, ParamValues v, boolean copies) {
    Map<String, Tensor> made = new HashMap<>();
    try {
      List<ParamLayout.Param> layout = ParamLayout.of(c);
      weights.forEach(layout, parallel, ahead(),
          (p, values) -> made.put(p.name(), b.upload(values, p.rows(), p.cols())));
      LlamaWeights master = LlamaWeights.create(c, p -> made.get(p.name()));
      LlamaWeights mm = moment(c, b, m, made, "m.");
      LlamaWeights vv = moment(c, b, v, made, "v.");
      return new DeviceTrainState(c, b, master, mm, vv, copies);
    } catch (RuntimeException e) {
      made.values().forEach(Tensor::close);
      throw e;
    }
  }

  private static LlamaWeights moment(LlamaConfig c, Backend b, ParamValues values,
      Map<String, Tensor> made, String key) {
    return LlamaWeights.create(c, p -> {
      Tensor t = values == null ? b.zeros(p.rows(), p.cols())
          : b.upload(values.of(p), p.rows(), p.cols());
      made.put(key + p.name(), t);
      return t;
    });
  }

  /** Every copy ← its master (rounded to bf16 where the copy is bf16). */
  private void refresh() {
    for (Tensor[] pair : copies) backend.copy(pair[0], pair[1]);
  }

  @Override
  public LlamaWeights weights() {
    return weights;
  }

  @Override
  double step(List<Tensor> grads, AdamWConfig cfg, long t, double maxNorm) {
    double norm = backend.clipAndAdamW(master.all(), grads, m.all(), v.all(), cfg, t, maxNorm);
    if (Double.isFinite(norm)) refresh();
    return norm;
  }

  @Override
  ParamValues masters() {
    return p -> backend.download(master.byName().get(p.name()));
  }

  @Override
  ParamValues moment(boolean first) {
    LlamaWeights w = first ? m : v;
    return p -> backend.download(w.byName().get(p.name()));
  }

  @Override
  double digest() {
    return ReplicaCheck.digest(backend, master.all());
  }

  @Override
  String describe() {
    return "on " + backend.name() + (copies.isEmpty() ? "" : " (the passes read bf16 copies of the matrices)");
  }

  @Override
  public void close() {
    for (Tensor[] pair : copies) pair[1].close();
    master.close();
    m.close();
    v.close();
  }
}
