package io.cream.train;

import io.cream.backend.AdamWConfig;
import io.cream.backend.Backend;
import io.cream.backend.Backend.HostCopy;
import io.cream.backend.HostFloats;
import io.cream.backend.Tensor;
import io.cream.backend.cpu.HostAdamW;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.ParamLayout;
import io.cream.model.ParamValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * {@code --offload optimizer}: fp32 master weights and AdamW moments in host memory (plain native
 * memory, 12 bytes per parameter), the passes' weights (bf16 matrices in bf16 mode) and the
 * gradients on the device.
 *
 * <p>A step: the global gradient norm on the device (one reduction, one wait), then parameter by
 * parameter, in layout order, through two pairs of transfer buffers from {@link
 * Backend#hostFloats} (page-locked on a GPU): the next gradient's copy to the host is queued
 * before this one's AdamW runs ({@link HostAdamW}, vectorised on every core, the clip factor
 * applied as the gradient is read), which writes the new weights to the host copy and to an
 * upload buffer whose copy to the device is queued at once. So the copies down, the CPU's AdamW
 * and the copies up overlap. Clipping is exact: the norm covers every gradient before any weight
 * changes.
 */
final class HostTrainState extends TrainState {
  private final List<ParamLayout.Param> layout;
  private final HostFloats[] master, m, v;
  private final LlamaWeights weights;
  private final List<Tensor> deviceWeights;
  private final HostFloats[] grad = new HostFloats[2], up = new HostFloats[2];

  private HostTrainState(LlamaConfig config, Backend backend, List<ParamLayout.Param> layout,
      HostFloats[] master, HostFloats[] m, HostFloats[] v, LlamaWeights weights) {
    super(config, backend);
    this.layout = layout;
    this.master = master;
    this.m = m;
    this.v = v;
    this.weights = weights;
    this.deviceWeights = weights.all();
  }

  static HostTrainState create(LlamaConfig c, Backend b, ParamValues weights, boolean parallel,
      ParamValues mv, ParamValues vv) {
    List<ParamLayout.Param> layout = ParamLayout.of(c);
    int n = layout.size();
    HostFloats[] master = new HostFloats[n], m = new HostFloats[n], v = new HostFloats[n];
    Map<String, Tensor> device = new HashMap<>();
    List<AutoCloseable> made = new ArrayList<>();
    try {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < n; i++) index.put(layout.get(i).name(), i);
      // Zeroed native memory, 12 bytes a parameter: allocated (and so zero-filled) on every core.
      IntStream.range(0, n).parallel().forEach(i -> {
        master[i] = HostFloats.allocate(layout.get(i).size());
        m[i] = HostFloats.allocate(layout.get(i).size());
        v[i] = HostFloats.allocate(layout.get(i).size());
      });
      weights.forEach(layout, parallel, ahead(), (p, values) -> {
        int i = index.get(p.name());
        master[i].write(0, values);
        Tensor t = passTensor(b, p);
        device.put(p.name(), t);
        made.add(t);
        b.write(t, values); // rounded to bf16 for a bf16 matmulWeight, as copyFromHost would
      });
      for (int i = 0; i < n; i++) {
        ParamLayout.Param p = layout.get(i);
        if (mv != null) m[i].write(0, mv.of(p));
        if (vv != null) v[i].write(0, vv.of(p));
      }
      HostTrainState s = new HostTrainState(c, b, layout, master, m, v,
          LlamaWeights.create(c, p -> device.get(p.name())));
      long largest = 1;
      for (ParamLayout.Param p : layout) largest = Math.max(largest, p.size());
      for (int k = 0; k < 2; k++) {
        s.grad[k] = b.hostFloats(largest);
        made.add(s.grad[k]);
        s.up[k] = b.hostFloats(largest);
        made.add(s.up[k]);
      }
      return s;
    } catch (RuntimeException | Error e) {
      for (HostFloats[] a : new HostFloats[][] {master, m, v}) {
        for (HostFloats h : a) if (h != null) made.add(h);
      }
      for (AutoCloseable x : made) {
        try {
          x.close();
        } catch (Exception ignored) {
          // closing what was made; the first failure is the one to report
        }
      }
      throw e;
    }
  }

  @Override
  public LlamaWeights weights() {
    return weights;
  }

  @Override
  double step(List<Tensor> grads, AdamWConfig cfg, long t, double maxNorm) {
    if (grads.size() != layout.size()) {
      throw new IllegalArgumentException(grads.size() + " gradients for " + layout.size() + " parameters");
    }
    double norm = Math.sqrt(backend.sumOfSquares(grads));
    if (!Double.isFinite(norm)) return norm;
    float scale = maxNorm > 0 && norm > maxNorm ? (float) (maxNorm / norm) : 1f;
    int n = layout.size();
    HostCopy[] down = new HostCopy[2], upload = new HostCopy[2];
    try {
      down[0] = backend.copyToHost(grads.get(0), grad[0], 0);
      for (int i = 0; i < n; i++) {
        int k = i & 1;
        if (i + 1 < n) down[k ^ 1] = backend.copyToHost(grads.get(i + 1), grad[k ^ 1], 0);
        down[k].await();
        if (upload[k] != null) upload[k].await(); // up[k] was the source of parameter i − 2
        HostAdamW.step(master[i], m[i], v[i], grad[k], up[k], layout.get(i).size(), cfg, t, scale);
        upload[k] = backend.copyFromHost(up[k], 0, deviceWeights.get(i));
      }
    } finally {
      for (HostCopy c : upload) if (c != null) c.await();
      for (HostCopy c : down) if (c != null) c.await();
    }
    return norm;
  }

  @Override
  ParamValues masters() {
    return p -> read(master, p);
  }

  @Override
  ParamValues moment(boolean first) {
    HostFloats[] which = first ? m : v;
    return p -> read(which, p);
  }

  private float[] read(HostFloats[] values, ParamLayout.Param p) {
    for (int i = 0; i < layout.size(); i++) {
      if (layout.get(i).name().equals(p.name())) return values[i].read(0, Math.toIntExact(p.size()));
    }
    throw new IllegalArgumentException("no parameter " + p.name());
  }

  @Override
  double digest() {
    double d = 0;
    for (int i = 0; i < layout.size(); i++) {
      d += (i + 1) * HostAdamW.sumOfSquares(master[i], layout.get(i).size());
    }
    return d;
  }

  @Override
  String describe() {
    long bytes = 0;
    for (ParamLayout.Param p : layout) bytes += 12 * p.size();
    return "in host memory (" + io.cream.util.Bytes.format(bytes) + " of fp32 master weights and AdamW"
        + " moments; AdamW on " + io.cream.util.Parallel.threads() + " CPU threads)";
  }

  @Override
  public void close() {
    weights.close();
    for (HostFloats[] a : new HostFloats[][] {master, m, v, grad, up}) {
      for (HostFloats h : a) if (h != null) h.close();
    }
  }
}
