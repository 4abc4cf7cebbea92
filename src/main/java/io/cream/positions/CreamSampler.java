package io.cream.positions;

import java.util.random.RandomGenerator;

/**
 * CREAM (docs/method.md §1). Draw order per sample, fixed so runs reproduce: branch b =
 * rng.nextInt(2) (unless a batch shares one: {@link #sample(RandomGenerator, int)}), u =
 * rng.nextDouble() → r, then P_e uniform over its inclusive range.
 *
 * <p>Tokens (§1 step 5): head D[0:H], tail the document's last T tokens, middle D[P_s : P_e+1] when
 * that chunk ends before the tail starts (P_e &lt; n − T), otherwise the L_m tokens just before the
 * tail. The reference tests P_e &lt; n instead; for n − T ≤ P_e &lt; n its middle overlaps the tail,
 * repeating tokens out of order. We take the fallback there so every sample is N distinct tokens in
 * document order; everywhere else the choice is the reference's.
 */
final class CreamSampler extends WindowedSampler {
  private final CreamRatio ratio;

  CreamSampler(int window, int factor, double sigma) {
    super(PositionMethod.CREAM, window, factor);
    SamplerChecks.requireSigma(sigma);
    SamplerChecks.requireContinuityFits(window, factor);
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
    return sample(rng, rng.nextInt(2));
  }

  /** A sample on a branch chosen elsewhere (per-batch mode); the rest drawn from rng. */
  PositionSample sample(RandomGenerator rng, int branch) {
    int r = ratio.drawR(rng.nextDouble());
    int lowest = CreamPositions.lowestMiddleEnd(window, factor, branch, r);
    int highest = CreamPositions.highestMiddleEnd(window, factor, branch, r);
    int end = rng.nextInt(lowest, highest + 1);
    return CreamPositions.build(window, factor, branch, r, end);
  }

  /** The tail is a document's last tokens: a completion is always read. */
  @Override
  public int longestCompletionDocument() {
    return targetWindow();
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
