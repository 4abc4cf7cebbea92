package io.cream.positions;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Draws the position ids of training samples for one method, window N and factor f (target window
 * S = f·N), and picks which document tokens go with them.
 *
 * <p>Which sample of a run gets which draws (per sample or per batch) is {@link SampleStream}'s
 * business: the CLI and the trainer both go through it.
 */
public interface PositionSampler {

  /** N, the pre-trained window: every sample has N positions and N tokens. */
  int window();

  /** f, the extension factor: positions lie in [0, f·N). */
  int factor();

  /** S = f·N, the target window. */
  default int targetWindow() {
    return window() * factor();
  }

  PositionMethod method();

  /** Draws one sample's position ids. */
  PositionSample sample(RandomGenerator rng);

  /**
   * The N token indices (strictly increasing, inside [0, documentLength)) to pair with a sample's
   * ids: CREAM per docs/method.md §1 step 5, PoSE the first chunk then a window ending at
   * rt2 ~ U{N … n}, RandPos and Contiguous the document's first N tokens.
   *
   * @throws IllegalArgumentException if the document is shorter than {@link #minDocumentLength()}
   *     or the sample was not made by this kind of sampler with this window
   */
  int[] selectTokens(PositionSample sample, int documentLength, RandomGenerator rng);

  /**
   * The token indices for a prompt/completion document, whose completion is its last tokens: they
   * must be read, or the sample trains nothing. CREAM's tail ends there anyway; PoSE's second chunk
   * is made to end there (rt2 = n); RandPos and contiguous read the first N tokens, so they take
   * such a document only up to N tokens ({@link #longestCompletionDocument}).
   *
   * @throws IllegalArgumentException as {@link #selectTokens}, or if the document is longer than
   *     {@link #longestCompletionDocument}
   */
  default int[] selectTokensToEnd(PositionSample sample, int documentLength, RandomGenerator rng) {
    SamplerChecks.requireReadableToEnd(this, documentLength);
    return selectTokens(sample, documentLength, rng);
  }

  /** Longest prompt/completion document whose last token {@link #selectTokensToEnd} reads: N, or S for CREAM and PoSE. */
  default int longestCompletionDocument() {
    return window();
  }

  /** Shortest usable document: N + 1 for CREAM (the reference keeps documents longer than N), N otherwise. */
  int minDocumentLength();

  /**
   * Makes a sampler. Checks the configuration (UserError naming the flag: N ≥ 3, f ≥ the method's
   * {@link PositionMethod#minFactor}, f·N fits an int; for CREAM also σ &gt; 0 and 8f &lt; N); this
   * is the one check of those flags, `cream train` and `cream compare` included. Sigma only matters
   * for CREAM.
   */
  static PositionSampler create(PositionMethod method, int window, int factor, double sigma) {
    return switch (method) {
      case CREAM -> new CreamSampler(window, factor, sigma);
      case POSE -> new PoseSampler(window, factor);
      case RANDPOS -> new RandPosSampler(window, factor);
      case CONTIGUOUS -> new ContiguousSampler(window, factor);
    };
  }

  /**
   * The random generator of sample (or batch) {@code index} for a run seeded with {@code seed}:
   * independent of every other index and of the order in which samples are made.
   */
  static SplittableRandom rngFor(long seed, long index) {
    // Two rounds of a 64-bit finaliser so nearby (seed, index) pairs land far apart; SplittableRandom
    // seeds that differ by its increment would otherwise give shifted copies of one stream.
    long z = mix64(seed ^ 0x5DEECE66DL);
    z = mix64(z + index * 0x9E3779B97F4A7C15L);
    return new SplittableRandom(z);
  }

  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
