package io.cream.backend;

/**
 * Dimensions of one causal attention call over a batch of sequences.
 *
 * <p>Queries are [batch·queryLen × heads·headDim]; keys and values are [batch·kvStride ×
 * kvHeads·headDim], sequence b occupying rows [b·kvStride, b·kvStride + keyLen). Query i (0-based
 * within its sequence) attends to keys j ≤ i + (keyLen − queryLen): queryLen == keyLen == kvStride is
 * training and prefill, queryLen = 1 with keyLen = past + 1 is one decode step, and kvStride larger
 * than keyLen lets a preallocated KV cache of kvStride rows per sequence be used in place. Query
 * head h reads key/value head h / (heads / kvHeads) (grouped-query attention). Scores are scaled by
 * 1/√headDim.
 */
public record AttentionShape(
    int batch, int heads, int kvHeads, int headDim, int queryLen, int keyLen, int kvStride) {

  public AttentionShape {
    if (batch < 1 || heads < 1 || kvHeads < 1 || headDim < 1 || queryLen < 1) {
      throw new IllegalArgumentException("attention dimensions must be positive: " + describe(
          batch, heads, kvHeads, headDim, queryLen, keyLen, kvStride));
    }
    if (heads % kvHeads != 0) {
      throw new IllegalArgumentException(
          "attention heads " + heads + " is not a multiple of kvHeads " + kvHeads);
    }
    if (keyLen < queryLen || kvStride < keyLen) {
      throw new IllegalArgumentException("attention needs queryLen ≤ keyLen ≤ kvStride: " + describe(
          batch, heads, kvHeads, headDim, queryLen, keyLen, kvStride));
    }
  }

  /** Training or prefill: every sequence attends causally to itself. */
  public static AttentionShape causal(int batch, int heads, int kvHeads, int headDim, int seqLen) {
    return new AttentionShape(batch, heads, kvHeads, headDim, seqLen, seqLen, seqLen);
  }

  /** Query heads sharing one key/value head. */
  public int groupSize() {
    return heads / kvHeads;
  }

  /** Query i sees keys j ≤ i + causalOffset(). */
  public int causalOffset() {
    return keyLen - queryLen;
  }

  public int queryCols() {
    return heads * headDim;
  }

  public int kvCols() {
    return kvHeads * headDim;
  }

  public int queryRows() {
    return batch * queryLen;
  }

  public int kvRows() {
    return batch * kvStride;
  }

  /** The softmax temperature, 1/√headDim. */
  public double scale() {
    return 1.0 / Math.sqrt(headDim);
  }

  private static String describe(int b, int h, int kvh, int d, int tq, int tk, int stride) {
    return "batch=" + b + " heads=" + h + " kvHeads=" + kvh + " headDim=" + d + " queryLen=" + tq
        + " keyLen=" + tk + " kvStride=" + stride;
  }
}
