package io.cream.eval;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Random streams keyed by (seed, task, parts...): a case's inputs do not depend on which other
 * cells or samples run, so grids can grow without changing earlier cases.
 */
public final class CaseRandom {
  private CaseRandom() {}

  public static SplittableRandom of(long seed, String task, long... parts) {
    long h = mix(seed ^ 0x5DEECE66DL);
    h = mix(h ^ task.hashCode());
    for (long p : parts) h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
    return new SplittableRandom(h);
  }

  /** A position (depth or gold index) as a stream key part. */
  public static long part(Double position) {
    return position == null ? -1 : Double.doubleToLongBits(position);
  }

  /** A random version-4 UUID string (lower-case, 36 characters). */
  public static String uuid(java.util.random.RandomGenerator rng) {
    long msb = (rng.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lsb = (rng.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // variant 10xx
    return new UUID(msb, lsb).toString();
  }

  /** The SplitMix64 finaliser: spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
