package io.cream.positions;

import java.util.SplittableRandom;

/**
 * The one owner of "sample i of a run seeded s": which position ids it gets and which random
 * stream then picks its tokens. `cream positions` prints samples 0, 1, 2, …; the trainer makes
 * sample i from item i mod D in epoch ⌊i / D⌋ (its D documents, or pieces, in corpus order), so both
 * see the same ids in every branch mode.
 *
 * <ul>
 *   <li>per sample: sample i draws everything from {@code rngFor(seed, i)} (CREAM: branch first).
 *   <li>per batch (CREAM): samples kB … kB + B − 1 share the branch drawn from {@code
 *       rngFor(seed ^ BRANCH_SALT, k)}, as the reference draws one per preprocessing batch of B =
 *       3,000 documents; each still draws its ratio and middle from {@code rngFor(seed, i)}, so any
 *       sample can be made without its batch.
 * </ul>
 *
 * The sample's stream is handed on with it: token selection (PoSE's window, RandPos) continues it.
 */
public final class SampleStream {
  /** The reference's preprocessing batch: the branch is drawn once per 3,000 documents. */
  public static final int REFERENCE_BATCH = 3000;
  private static final long BRANCH_SALT = 0x6A09E667F3BCC909L;

  /** A sample's ids and the random stream that continues after them. */
  public record Draw(PositionSample sample, SplittableRandom rng) {}

  private final PositionSampler sampler;
  private final BranchMode mode;
  private final int batchSize;
  private final long seed;

  /**
   * @param batchSize samples per shared branch under {@link BranchMode#PER_BATCH} (≥ 1)
   */
  public SampleStream(PositionSampler sampler, BranchMode mode, int batchSize, long seed) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    this.sampler = sampler;
    this.mode = mode == null ? BranchMode.PER_SAMPLE : mode;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  public PositionSampler sampler() {
    return sampler;
  }

  /** Sample {@code index} (≥ 0) of the run. */
  public Draw draw(long index) {
    SplittableRandom rng = PositionSampler.rngFor(seed, index);
    if (mode == BranchMode.PER_BATCH && sampler instanceof CreamSampler cream) {
      return new Draw(cream.sample(rng, branchOfBatch(index / batchSize)), rng);
    }
    return new Draw(sampler.sample(rng), rng);
  }

  /** The branch every sample of batch k shares (per-batch mode). */
  public int branchOfBatch(long batch) {
    return PositionSampler.rngFor(seed ^ BRANCH_SALT, batch).nextInt(2);
  }
}
