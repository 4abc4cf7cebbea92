package io.cream.positions;

import java.util.random.RandomGenerator;

/** No position manipulation: ids 0 … N−1 and the document's first N tokens. Draws nothing. */
final class ContiguousSampler extends WindowedSampler {

  ContiguousSampler(int window, int factor) {
    super(PositionMethod.CONTIGUOUS, window, factor);
  }

  @Override
  public PositionMethod method() {
    return PositionMethod.CONTIGUOUS;
  }

  @Override
  public PositionSample sample(RandomGenerator rng) {
    return new PositionSample(PositionMethod.CONTIGUOUS, null, null, null, null, null, null, firstN());
  }

  @Override
  public int[] selectTokens(PositionSample sample, int documentLength, RandomGenerator rng) {
    SamplerChecks.requireTokenInput(this, sample, documentLength);
    return firstN();
  }

  private int[] firstN() {
    int[] ids = new int[window];
    for (int i = 0; i < window; i++) ids[i] = i;
    return ids;
  }
}
