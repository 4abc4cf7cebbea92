package io.cream.positions;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * RandPos (docs/method.md §2): N distinct positions drawn uniformly without replacement from
 * [0, S), sorted; the tokens are the document's first N.
 *
 * <p>Floyd's algorithm makes the uniform N-subset in N draws. Membership is a bitmap over [0, S)
 * when that is small next to N (then reading the bitmap in order also sorts), else an
 * open-addressing hash set followed by a sort.
 */
final class RandPosSampler extends WindowedSampler {
  /** Use the bitmap while scanning its words costs at most this many words per position. */
  private static final int BITMAP_WORDS_PER_POSITION = 64;


  RandPosSampler(int window, int factor) {
    super(PositionMethod.RANDPOS, window, factor);
  }

  @Override
  public PositionMethod method() {
    return PositionMethod.RANDPOS;
  }

  @Override
  public PositionSample sample(RandomGenerator rng) {
    long words = (span + 63L) / 64;
    int[] ids = words <= (long) BITMAP_WORDS_PER_POSITION * window
        ? subsetWithBitmap(rng, (int) words)
        : subsetWithHashSet(rng);
    return new PositionSample(PositionMethod.RANDPOS, null, null, null, null, null, null, ids);
  }

  // Floyd: for j = S−N … S−1 pick t ∈ [0, j]; take t if new, else j (which is new by construction).
  private int[] subsetWithBitmap(RandomGenerator rng, int words) {
    long[] bits = new long[words];
    for (int j = span - window; j < span; j++) {
      int t = rng.nextInt(j + 1);
      int pick = (bits[t >>> 6] & (1L << t)) != 0 ? j : t;
      bits[pick >>> 6] |= 1L << pick;
    }
    int[] ids = new int[window];
    int count = 0;
    for (int w = 0; w < words; w++) {
      long word = bits[w];
      while (word != 0) {
        ids[count++] = (w << 6) + Long.numberOfTrailingZeros(word);
        word &= word - 1;
      }
    }
    return ids;
  }

  private int[] subsetWithHashSet(RandomGenerator rng) {
    IntSet taken = new IntSet(window);
    int[] ids = new int[window];
    int count = 0;
    for (int j = span - window; j < span; j++) {
      int t = rng.nextInt(j + 1);
      int pick = taken.add(t) ? t : j;
      if (pick == j) taken.add(j);
      ids[count++] = pick;
    }
    Arrays.sort(ids);
    return ids;
  }

  @Override
  public int[] selectTokens(PositionSample sample, int documentLength, RandomGenerator rng) {
    SamplerChecks.requireTokenInput(this, sample, documentLength);
    int[] tokens = new int[window];
    for (int i = 0; i < window; i++) tokens[i] = i;
    return tokens;
  }

  /** A minimal set of non-negative ints with linear probing; -1 marks an empty slot. */
  private static final class IntSet {
    private final int[] slots;
    private final int mask;

    IntSet(int expected) {
      int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
      slots = new int[capacity];
      Arrays.fill(slots, -1);
      mask = capacity - 1;
    }

    /** Adds value; returns false if it was already present. */
    boolean add(int value) {
      int i = (value * 0x9E3779B9) >>> 1 & mask;
      while (slots[i] != -1) {
        if (slots[i] == value) return false;
        i = (i + 1) & mask;
      }
      slots[i] = value;
      return true;
    }
  }
}
