package io.cream.model;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.BiConsumer;

/**
 * Where each parameter's float32 values come from (a checkpoint, a fresh initialisation, saved
 * optimizer moments): a new array per call, for one parameter at a time.
 */
@FunctionalInterface
public interface ParamValues {
  float[] of(ParamLayout.Param p);

  /**
   * Calls use(p, values) for each parameter in order. With {@code parallel} (a source safe to call
   * from several threads, such as {@link WeightInit#values}) up to {@code ahead} parameters' values
   * are computed at once on the common fork-join pool while use runs on the calling thread, so a
   * 7B model's 6.7 billion random values do not take minutes on one core.
   */
  default void forEach(List<ParamLayout.Param> params, boolean parallel, int ahead,
      BiConsumer<ParamLayout.Param, float[]> use) {
    if (!parallel || ahead <= 1) {
      for (ParamLayout.Param p : params) use.accept(p, of(p));
      return;
    }
    List<ForkJoinTask<float[]>> queued = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < params.size(); i++) {
      while (next < params.size() && next < i + ahead) {
        ParamLayout.Param p = params.get(next++);
        queued.add(ForkJoinPool.commonPool().submit(() -> of(p)));
      }
      float[] values = queued.get(i).join();
      queued.set(i, null);
      use.accept(params.get(i), values);
    }
  }
}
