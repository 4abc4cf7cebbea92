package io.cream.bench;

import io.cream.backend.Backend;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.LlamaWeights;
import io.cream.rope.RopeSpec;
import java.util.SplittableRandom;

/**
 * Inference speed of a model shape with random weights through {@link InferenceSession}: the time
 * to prefill a long prompt (in chunks, only the last token's logits leave the device) and the rate
 * of greedy decoding after it (one token per forward, argmax on the host).
 */
public final class InferBench {
  public record Options(int prefill, int decode, int chunk, long seed) {}

  /** Prefill wall time, decode tokens per second, peak device bytes of live tensors (-1 unknown). */
  public record Result(double prefillMillis, double decodeTokensPerSecond, long peakBytes) {}

  private InferBench() {}

  public static Result run(LlamaConfig c, Backend b, Options o) {
    RopeSpec rope = RopeSpec.defaults(c.headDim(), c.ropeTheta(), c.maxPositionEmbeddings());
    try (LlamaWeights w = BenchWeights.random(c, b, o.seed());
        InferenceSession s = new InferenceSession(new LlamaModel(c, b, w, rope.build()), o.prefill() + o.decode(), o.chunk())) {
      int[] prompt = new SplittableRandom(o.seed()).ints(o.prefill(), 0, c.vocabSize()).toArray();
      // Warm-up: the whole prompt and a few decoding steps once, so the prefill's and the one-row
      // decode's kernels are compiled (NVRTC on a fresh GPU machine: seconds), attention plans
      // built (cuDNN plans each chunk's shape once) and the allocator's caches filled before the
      // timed run.
      float[] warm = s.append(prompt, InferenceSession.Logits.LAST);
      for (int i = 0; i < Math.min(4, o.decode()); i++) {
        warm = s.append(new int[] {argmax(warm)}, InferenceSession.Logits.LAST);
      }
      s.reset();
      long t0 = System.nanoTime();
      float[] logits = s.append(prompt, InferenceSession.Logits.LAST);
      b.synchronize();
      double prefill = (System.nanoTime() - t0) / 1e6;
      long t1 = System.nanoTime();
      for (int i = 0; i < o.decode(); i++) logits = s.append(new int[] {argmax(logits)}, InferenceSession.Logits.LAST);
      double decodeSeconds = (System.nanoTime() - t1) / 1e9;
      long peak = b.peakBytes();
      return new Result(prefill, o.decode() / decodeSeconds, peak);
    }
  }

  private static int argmax(float[] row) {
    int best = 0;
    for (int i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
    return best;
  }
}
