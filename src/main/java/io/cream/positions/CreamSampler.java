package io.cream.positions;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * CREAM (cream-method.md §1). Draw order per sample, fixed so runs reproduce: branch b =
 * rng.nextInt(2) (unless the batch shares one), u = rng.nextDouble() → r, then P_e uniform over its
 * inclusive range.
 *
 * <p>Tokens (§1 step 5): head D[0:H], tail the document's last T tokens, middle D[P_s : P_e+1] when
 * that chunk ends before the tail starts (P_e &lt; n − T), otherwise the L_m tokens just before the
 * tail. The reference tests P_e &lt; n instead; for n − T ≤ P_e &lt; n its middle overlaps the tail,
 * repeating tokens out of order. We take the fallback there so every sample is N distinct tokens in
 * document order; everywhere else the choice is the reference's.
 */
final class CreamSampler extends WindowedSampler {
  private final BranchMode mode;
  private final CreamRatio ratio;

  CreamSampler(int window, int factor, double sigma, BranchMode mode) {
    super(window, factor);
    SamplerChecks.requireSigma(sigma);
    SamplerChecks.requireContinuityFits(window, factor);
    this.mode = mode == null ? BranchMode.PER_SAMPLE : mode;
    this.ratio = new CreamRatio(factor, sigma);
  }

  @Override
  public PositionMethod method() {
    return PositionMethod.CREAM;
  }

  @Override
  public int minDocumentLength() {
    return window + 1;
  }

  @Override
  public PositionSample sample(RandomGenerator rng) {
    return sampleWithBranch(rng, rng.nextInt(2));
  }

  @Override
  public List<PositionSample> sampleBatch(RandomGenerator rng, int batchSize) {
    if (mode == BranchMode.PER_SAMPLE) return super.sampleBatch(rng, batchSize);
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    int branch = rng.nextInt(2);
    List<PositionSample> batch = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) batch.add(sampleWithBranch(rng, branch));
    return batch;
  }

  private PositionSample sampleWithBranch(RandomGenerator rng, int branch) {
    int r = ratio.drawR(rng.nextDouble());
    int lowest = CreamPositions.lowestMiddleEnd(window, factor, branch, r);
    int highest = CreamPositions.highestMiddleEnd(window, factor, branch, r);
    int end = rng.nextInt(lowest, highest + 1);
    return CreamPositions.build(window, factor, branch, r, end);
  }

  @Override
  public int[] selectTokens(PositionSample sample, int documentLength, RandomGenerator rng) {
    SamplerChecks.requireTokenInput(this, sample, documentLength);
    int head = sample.head();
    int tail = sample.tail();
    int middle = window - head - tail;
    int tailStart = documentLength - tail;
    int middleStart = sample.middleEnd() < tailStart ? sample.middleStart() : tailStart - middle;
    int[] tokens = new int[window];
    for (int i = 0; i < head; i++) tokens[i] = i;
    for (int i = 0; i < middle; i++) tokens[head + i] = middleStart + i;
    for (int i = 0; i < tail; i++) tokens[head + middle + i] = tailStart + i;
    return tokens;
  }
}
