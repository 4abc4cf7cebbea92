package io.cream.rope;

import io.cream.util.Parallel;

/**
 * cos and sin for a list of position ids, row-major [positions.length × half] with half = headDim/2:
 * entry (t, i) is attentionFactor·cos(p_t·inv_freq_i), the angle formed in float64 and only the
 * result rounded to float. Positions may be in any order, with gaps, and far beyond the number of
 * tokens (CREAM feeds N tokens whose ids reach f·N).
 *
 * <p>Layout ("rotate half", as Llama in Hugging Face): pair i of a head vector x of length d is
 * (x[i], x[i + d/2]), not (x[2i], x[2i+1]). The rotation is
 * <pre>
 *   x_rot[i]       = x[i]·cos_i − x[i + d/2]·sin_i
 *   x_rot[i + d/2] = x[i + d/2]·cos_i + x[i]·sin_i      (i = 0 … d/2 − 1)
 * </pre>
 * which the backends' {@code rope} op applies to every head of every row
 * ({@link io.cream.backend.Backend#rope}).
 */
public final class RopeTables {
  private static final int GRAIN = 256; // rows per task: ~64 K transcendental calls

  private final float[] cos;
  private final float[] sin;
  private final int half;

  private RopeTables(float[] cos, float[] sin, int half) {
    this.cos = cos;
    this.sin = sin;
    this.half = half;
  }

  /**
   * Tables for {@code positions} under {@code scaling} at sequence length {@code seqLen} (the HF
   * notion: largest position + 1; it only matters for dynamic and longrope).
   */
  public static RopeTables compute(RopeScaling scaling, int[] positions, int seqLen) {
    double[] invFreq = scaling.invFreq(seqLen);
    double attention = scaling.attentionFactor(seqLen);
    int half = invFreq.length;
    float[] cos = new float[positions.length * half];
    float[] sin = new float[positions.length * half];
    Parallel.forRange(positions.length, GRAIN, (start, end) -> {
      for (int t = start; t < end; t++) {
        double p = positions[t];
        int row = t * half;
        for (int i = 0; i < half; i++) {
          double angle = p * invFreq[i];
          cos[row + i] = (float) (attention * Math.cos(angle));
          sin[row + i] = (float) (attention * Math.sin(angle));
        }
      }
    });
    return new RopeTables(cos, sin, half);
  }

  /** As {@link #compute(RopeScaling, int[], int)} with seqLen = the largest position + 1. */
  public static RopeTables compute(RopeScaling scaling, int[] positions) {
    int max = -1;
    for (int p : positions) max = Math.max(max, p);
    return compute(scaling, positions, max + 1);
  }

  /** cos table, [rows × half]; the array itself (not a copy), so kernels can read it directly. */
  public float[] cos() {
    return cos;
  }

  /** sin table, [rows × half]; the array itself. */
  public float[] sin() {
    return sin;
  }

  /** headDim / 2: entries per row. */
  public int half() {
    return half;
  }

  /** Number of positions (rows). */
  public int rows() {
    return half == 0 ? 0 : cos.length / half;
  }
}
