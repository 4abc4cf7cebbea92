package io.cream.model;

/**
 * One micro-batch: {@code batch} sequences of {@code seqLen} tokens, flattened row-major
 * (sequence b occupies rows [b·seqLen, (b+1)·seqLen)). positions are the RoPE position ids of each
 * token (any increasing ids, e.g. CREAM's); targets the id to predict at each row, -1 where none.
 */
public record TrainBatch(int batch, int seqLen, int[] tokens, int[] positions, int[] targets) {
  public TrainBatch {
    int n = batch * seqLen;
    if (batch < 1 || seqLen < 1 || tokens.length != n || positions.length != n
        || targets.length != n) {
      throw new IllegalArgumentException("batch of " + batch + "×" + seqLen + " needs " + n
          + " tokens, positions and targets; got " + tokens.length + ", " + positions.length
          + ", " + targets.length);
    }
  }

  public int rows() {
    return batch * seqLen;
  }

  /** Next-token targets for plain sequences: targets[i] = tokens[i+1] within a sequence, -1 at its end. */
  public static int[] nextTokenTargets(int[] tokens, int batch, int seqLen) {
    int[] t = new int[tokens.length];
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < seqLen; i++) {
        int r = b * seqLen + i;
        t[r] = i + 1 < seqLen ? tokens[r + 1] : -1;
      }
    }
    return t;
  }
}
