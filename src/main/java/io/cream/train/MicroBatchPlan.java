package io.cream.train;

/**
 * Which micro-batches each rank of a data-parallel run computes. A step is made of
 * perRank × world micro-batches, numbered step·perStep + j for j = 0 … perStep − 1 (the numbers
 * {@link SampleSource#batch} takes); rank r computes those with j ≡ r (mod world). So the global
 * batch is batch × gradAccum × world sequences, and W GPUs with --grad-accum A see exactly the
 * micro-batches one GPU sees with --grad-accum A·W: same samples, same step, same loss curve
 * (up to the order in which gradients are summed).
 *
 * @param perRank micro-batches per rank and step (--grad-accum)
 * @param rank this rank, 0 ≤ rank < world
 * @param world the number of ranks
 */
public record MicroBatchPlan(int perRank, int rank, int world) {
  public MicroBatchPlan {
    if (perRank < 1) throw new IllegalArgumentException("perRank " + perRank + " < 1");
    if (world < 1 || rank < 0 || rank >= world) {
      throw new IllegalArgumentException("rank " + rank + " of a world of " + world);
    }
  }

  /** Micro-batches per optimizer step over all ranks. */
  public int perStep() {
    return perRank * world;
  }

  /** The micro-batch numbers this rank computes at step, in increasing order. */
  public long[] indices(long step) {
    long[] out = new long[perRank];
    long first = step * perStep();
    for (int a = 0; a < perRank; a++) out[a] = first + (long) a * world + rank;
    return out;
  }
}
