package io.cream.positions;

import java.util.random.RandomGenerator;

/**
 * PoSE with two chunks (docs/method.md §2): chunk-1 length rt1 ~ U{1 … ⌊(N+1)/2⌋}, skip
 * rt ~ U{0 … S − N}; ids [0 … rt1−1] ⧺ [rt1 + rt … N − 1 + rt]. Tokens: D[0:rt1] ⧺ the N − rt1
 * tokens ending at rt2 ~ U{N … n}, so the second chunk's text is decoupled from its skip. (The
 * reference first truncates documents to S tokens; pass min(n, S) as the length to match that.)
 * A prompt/completion document's second chunk ends with it (rt2 = n), so its completion is read.
 */
final class PoseSampler extends WindowedSampler {

  PoseSampler(int window, int factor) {
    super(PositionMethod.POSE, window, factor);
  }

  @Override
  public PositionMethod method() {
    return PositionMethod.POSE;
  }

  @Override
  public PositionSample sample(RandomGenerator rng) {
    int firstChunk = rng.nextInt(1, (window + 1) / 2 + 1);
    int skip = rng.nextInt(0, span - window + 1);
    int[] ids = new int[window];
    for (int i = 0; i < firstChunk; i++) ids[i] = i;
    for (int i = firstChunk; i < window; i++) ids[i] = i + skip;
    return new PositionSample(
        PositionMethod.POSE, null, firstChunk, null, null, firstChunk + skip, window - 1 + skip, ids);
  }

  @Override
  public int[] selectTokens(PositionSample sample, int documentLength, RandomGenerator rng) {
    SamplerChecks.requireTokenInput(this, sample, documentLength);
    return tokens(sample.head(), rng.nextInt(window, documentLength + 1)); // exclusive end rt2
  }

  /** The second chunk ends with the document (rt2 = n), where a completion is. */
  @Override
  public int[] selectTokensToEnd(PositionSample sample, int documentLength, RandomGenerator rng) {
    SamplerChecks.requireTokenInput(this, sample, documentLength);
    SamplerChecks.requireReadableToEnd(this, documentLength);
    return tokens(sample.head(), documentLength);
  }

  @Override
  public int longestCompletionDocument() {
    return span;
  }

  private int[] tokens(int firstChunk, int secondEnd) {
    int secondStart = secondEnd - (window - firstChunk);
    int[] tokens = new int[window];
    for (int i = 0; i < firstChunk; i++) tokens[i] = i;
    for (int i = firstChunk; i < window; i++) tokens[i] = secondStart + (i - firstChunk);
    return tokens;
  }
}
