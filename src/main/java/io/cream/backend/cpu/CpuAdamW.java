package io.cream.backend.cpu;

import io.cream.backend.AdamWConfig;
import java.lang.foreign.MemorySegment;

/** One AdamW step on CPU tensors: {@link AdamWUpdate} over their arrays. */
final class CpuAdamW {
  private CpuAdamW() {}

  static void step(CpuTensor param, CpuTensor grad, CpuTensor m, CpuTensor v,
      AdamWConfig cfg, long t) {
    long n = param.length();
    AdamWUpdate.run(floats(param, n), floats(m, n), floats(v, n), floats(grad, n), null, n, cfg,
        t, 1f);
  }

  private static MemorySegment floats(CpuTensor x, long n) {
    return MemorySegment.ofArray(x.array()).asSlice((long) x.offset() * Float.BYTES, n * Float.BYTES);
  }
}
