package io.cream.positions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cream.util.UserError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Invariants of every method over many (N, f, σ, seed), and of their token selection. */
class PositionSamplerPropertyTest {
  private static final int[] WINDOWS = {3, 4, 5, 7, 16, 17, 33, 100, 255, 256, 1000, 4096};
  private static final int[] FACTORS = {2, 3, 4, 8, 16, 64};
  private static final double[] SIGMAS = {0.5, 3.0, 7.0};
  private static final int SAMPLES_PER_CONFIG = 12;

  @Test
  void everyMethodKeepsItsInvariantsAcrossConfigurations() {
    SplittableRandom configSeeds = new SplittableRandom(2024);
    int checked = 0;
    for (int n : WINDOWS) {
      for (int f : FACTORS) {
        for (double sigma : SIGMAS) {
          for (PositionMethod method : PositionMethod.values()) {
            if (method == PositionMethod.CREAM && 8 * f >= n) {
              assertThrows(UserError.class,
                  () -> PositionSampler.create(method, n, f, sigma));
              continue;
            }
            PositionSampler sampler = PositionSampler.create(method, n, f, sigma);
            assertEquals(n, sampler.window());
            assertEquals(f, sampler.factor());
            assertEquals(method, sampler.method());
            long seed = configSeeds.nextLong();
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 0; i < SAMPLES_PER_CONFIG; i++) {
              PositionSample s = sampler.sample(rng);
              checkPositions(sampler, s);
              for (int doc : documentLengths(sampler, rng)) checkTokens(sampler, s, doc, rng);
              checked++;
            }
          }
        }
      }
    }
    assertTrue(checked > 5000, "checked " + checked);
  }

  private static int[] documentLengths(PositionSampler sampler, RandomGenerator rng) {
    int min = sampler.minDocumentLength();
    int n = sampler.window();
    int s = sampler.targetWindow();
    return new int[] {min, min + 1, n + n / 3, s, min + rng.nextInt(3 * s)};
  }

  private static void checkPositions(PositionSampler sampler, PositionSample s) {
    int n = sampler.window();
    int span = sampler.targetWindow();
    int[] ids = s.positions();
    assertEquals(sampler.method(), s.method());
    assertEquals(n, ids.length);
    assertTrue(ids[0] >= 0 && ids[n - 1] < span, "outside [0, S): " + s);
    for (int i = 1; i < n; i++) {
      if (ids[i] <= ids[i - 1]) fail("not strictly increasing at " + i + ": " + s);
    }
    switch (s.method()) {
      case CREAM -> checkCream(sampler, s);
      case POSE -> checkPose(sampler, s);
      case RANDPOS -> checkNoExtras(s);
      case CONTIGUOUS -> {
        checkNoExtras(s);
        for (int i = 0; i < n; i++) assertEquals(i, ids[i]);
      }
    }
  }

  private static void checkCream(PositionSampler sampler, PositionSample s) {
    int n = sampler.window();
    int f = sampler.factor();
    int span = sampler.targetWindow();
    int[] ids = s.positions();
    int b = s.branch();
    int h = s.head();
    assertEquals(b == 0 ? n / 3 : 4 * f, h);
    assertEquals(h, (int) s.tail());
    int r = s.ratioR();
    assertTrue(r >= 2 && r <= 2 * f, "r out of range: " + s);
    int middle = n - 2 * h;
    assertTrue(s.middleEnd() >= CreamPositions.lowestMiddleEnd(n, f, b, r));
    assertTrue(s.middleEnd() <= CreamPositions.highestMiddleEnd(n, f, b, r));
    assertEquals(s.middleEnd() - middle + 1, (int) s.middleStart());
    for (int i = 0; i < h; i++) assertEquals(i, ids[i], "head");
    for (int i = 0; i < middle; i++) assertEquals(s.middleStart() + i, ids[h + i], "middle");
    for (int i = 0; i < h; i++) assertEquals(span - h + i, ids[h + middle + i], "tail");
    assertEquals(span - 1, ids[n - 1]);
  }

  private static void checkPose(PositionSampler sampler, PositionSample s) {
    int n = sampler.window();
    int[] ids = s.positions();
    int rt1 = s.head();
    assertTrue(rt1 >= 1 && rt1 <= (n + 1) / 2, "chunk-1 length " + rt1);
    int skip = s.middleStart() - rt1;
    assertTrue(skip >= 0 && skip <= sampler.targetWindow() - n, "skip " + skip);
    assertEquals(n - 1 + skip, (int) s.middleEnd());
    for (int i = 0; i < n; i++) assertEquals(i < rt1 ? i : i + skip, ids[i]);
    assertNull(s.branch());
    assertNull(s.tail());
    assertNull(s.ratioR());
  }

  private static void checkNoExtras(PositionSample s) {
    assertNull(s.branch());
    assertNull(s.head());
    assertNull(s.tail());
    assertNull(s.ratioR());
    assertNull(s.middleStart());
    assertNull(s.middleEnd());
  }

  private static void checkTokens(PositionSampler sampler, PositionSample s, int doc, RandomGenerator rng) {
    int n = sampler.window();
    int[] tokens = sampler.selectTokens(s, doc, rng);
    assertEquals(n, tokens.length);
    assertTrue(tokens[0] >= 0 && tokens[n - 1] < doc, "token outside the document of " + doc);
    for (int i = 1; i < n; i++) {
      if (tokens[i] <= tokens[i - 1]) fail("tokens not increasing at " + i + " for " + s);
    }
    switch (s.method()) {
      case CREAM -> {
        int h = s.head();
        int middle = n - 2 * h;
        for (int i = 0; i < h; i++) assertEquals(i, tokens[i]);
        for (int i = 0; i < h; i++) assertEquals(doc - h + i, tokens[n - h + i]);
        int start = s.middleEnd() < doc - h ? s.middleStart() : doc - h - middle;
        for (int i = 0; i < middle; i++) assertEquals(start + i, tokens[h + i]);
      }
      case POSE -> {
        int rt1 = s.head();
        for (int i = 0; i < rt1; i++) assertEquals(i, tokens[i]);
        int end = tokens[n - 1] + 1; // rt2
        assertTrue(end >= n && end <= doc, "rt2 " + end);
        for (int i = rt1; i < n; i++) assertEquals(end - (n - i), tokens[i]);
      }
      case RANDPOS, CONTIGUOUS -> {
        for (int i = 0; i < n; i++) assertEquals(i, tokens[i]);
      }
    }
    checkTokensToEnd(sampler, s, doc, rng);
  }

  /** A prompt/completion document's tokens: the same shape, ending with the document's last token. */
  private static void checkTokensToEnd(PositionSampler sampler, PositionSample s, int doc, RandomGenerator rng) {
    int n = sampler.window();
    int longest = sampler.longestCompletionDocument();
    boolean reachesEnd = s.method() == PositionMethod.CREAM || s.method() == PositionMethod.POSE;
    assertEquals(reachesEnd ? sampler.targetWindow() : n, longest);
    if (doc > longest) {
      assertThrows(IllegalArgumentException.class, () -> sampler.selectTokensToEnd(s, doc, rng));
      return;
    }
    int[] tokens = sampler.selectTokensToEnd(s, doc, rng);
    assertEquals(n, tokens.length);
    assertEquals(doc - 1, tokens[n - 1], "the document's last token is read");
    for (int i = 1; i < n; i++) {
      if (tokens[i] <= tokens[i - 1]) fail("tokens not increasing at " + i + " for " + s);
    }
    int head = s.head() == null ? n : s.head(); // RandPos and contiguous: the first N tokens
    for (int i = 0; i < head; i++) assertEquals(i, tokens[i], "the head or first chunk is the document's start");
  }

  @Test
  void shortDocumentsAndForeignSamplesAreRejected() {
    for (PositionMethod method : PositionMethod.values()) {
      PositionSampler sampler = PositionSampler.create(method, 256, 4, 3.0);
      PositionSample s = sampler.sample(new SplittableRandom(3));
      int tooShort = sampler.minDocumentLength() - 1;
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> sampler.selectTokens(s, tooShort, new SplittableRandom(1)));
      assertTrue(e.getMessage().contains("too short"), e.getMessage());
      PositionSampler other = PositionSampler.create(
          method == PositionMethod.POSE ? PositionMethod.RANDPOS : PositionMethod.POSE, 256, 4, 3.0);
      assertThrows(IllegalArgumentException.class, () -> other.selectTokens(s, 10_000, new SplittableRandom(1)));
    }
    assertEquals(257, PositionSampler.create(PositionMethod.CREAM, 256, 4, 3).minDocumentLength());
    assertEquals(256, PositionSampler.create(PositionMethod.POSE, 256, 4, 3).minDocumentLength());
  }

  @Test
  void sameSeedSameVectorsAndIndicesAreIndependent() {
    for (PositionMethod method : PositionMethod.values()) {
      PositionSampler a = PositionSampler.create(method, 4096, 8, 3.0);
      PositionSampler b = PositionSampler.create(method, 4096, 8, 3.0);
      for (long i = 0; i < 20; i++) {
        PositionSample first = a.sample(PositionSampler.rngFor(77, i));
        PositionSample again = b.sample(PositionSampler.rngFor(77, i));
        assertEquals(first, again);
        RandomGenerator r1 = PositionSampler.rngFor(5, i);
        RandomGenerator r2 = PositionSampler.rngFor(5, i);
        assertArrayEquals(a.selectTokens(first, 50_000, r1), b.selectTokens(again, 50_000, r2));
        if (method != PositionMethod.CONTIGUOUS) {
          assertNotEquals(first, a.sample(PositionSampler.rngFor(77, i + 1)));
          assertNotEquals(first, a.sample(PositionSampler.rngFor(78, i)));
        }
      }
    }
  }

  @Test
  void rngForGivesDistinctStreamsForNearbySeedsAndIndices() {
    Map<Long, String> firstDraws = new HashMap<>();
    for (long seed = -3; seed <= 3; seed++) {
      for (long index = 0; index < 200; index++) {
        long draw = PositionSampler.rngFor(seed, index).nextLong();
        String previous = firstDraws.put(draw, seed + "/" + index);
        assertNull(previous, "streams " + previous + " and " + seed + "/" + index + " coincide");
      }
    }
  }

  @Test
  void randPosDrawsEverySubsetEquallyOften() {
    // N = 4, f = 2: S = 8, C(8, 4) = 70 subsets; 70,000 draws, χ² at p = 0.001 with df = 69.
    PositionSampler sampler = PositionSampler.create(PositionMethod.RANDPOS, 4, 2, 3.0);
    Map<Integer, Integer> subsetIndex = new HashMap<>();
    long[] counts = new long[70];
    SplittableRandom rng = new SplittableRandom(31);
    for (int i = 0; i < 70_000; i++) {
      int mask = 0;
      for (int p : sampler.sample(rng).positions()) mask |= 1 << p;
      int index = subsetIndex.computeIfAbsent(mask, m -> subsetIndex.size());
      counts[index]++;
    }
    assertEquals(70, subsetIndex.size());
    double[] uniform = new double[70];
    java.util.Arrays.fill(uniform, 1.0 / 70);
    assertTrue(ChiSquare.statistic(counts, uniform, 70_000) < ChiSquare.quantile(0.999, 69));
  }

  @Test
  void randPosHashPathIsUniformToo() {
    // f > 4096 takes the hash-set path: N = 5, f = 5000, S = 25,000; each position's bin is uniform.
    PositionSampler sampler = PositionSampler.create(PositionMethod.RANDPOS, 5, 5000, 3.0);
    int bins = 25;
    long[] counts = new long[bins];
    SplittableRandom rng = new SplittableRandom(8);
    int draws = 20_000;
    for (int i = 0; i < draws; i++) {
      PositionSample s = sampler.sample(rng);
      checkPositions(sampler, s);
      for (int p : s.positions()) counts[p / 1000]++;
    }
    double[] uniform = new double[bins];
    java.util.Arrays.fill(uniform, 1.0 / bins);
    assertTrue(ChiSquare.statistic(counts, uniform, 5L * draws) < ChiSquare.quantile(0.999, bins - 1));
  }

  @Test
  void uniformChoicesReachBothEndsOfTheirRanges() {
    // CREAM P_e over [lo, hi] for a fixed r; PoSE rt1 over [1, ⌊(N+1)/2⌋] and the skip over [0, S − N].
    PositionSampler cream = PositionSampler.create(PositionMethod.CREAM, 48, 2, 3.0);
    int minEnd = Integer.MAX_VALUE;
    int maxEnd = Integer.MIN_VALUE;
    SplittableRandom rng = new SplittableRandom(17);
    for (int i = 0; i < 20_000; i++) {
      PositionSample s = cream.sample(rng);
      if (s.branch() == 0 && s.ratioR() == 3) {
        minEnd = Math.min(minEnd, s.middleEnd());
        maxEnd = Math.max(maxEnd, s.middleEnd());
      }
    }
    assertEquals(CreamPositions.lowestMiddleEnd(48, 2, 0, 3), minEnd);
    assertEquals(CreamPositions.highestMiddleEnd(48, 2, 0, 3), maxEnd);
    PositionSampler pose = PositionSampler.create(PositionMethod.POSE, 9, 2, 3.0);
    int minHead = Integer.MAX_VALUE, maxHead = 0, minSkip = Integer.MAX_VALUE, maxSkip = 0;
    for (int i = 0; i < 2_000; i++) {
      PositionSample s = pose.sample(rng);
      minHead = Math.min(minHead, s.head());
      maxHead = Math.max(maxHead, s.head());
      minSkip = Math.min(minSkip, s.middleStart() - s.head());
      maxSkip = Math.max(maxSkip, s.middleStart() - s.head());
    }
    assertEquals(1, minHead);
    assertEquals(5, maxHead);
    assertEquals(0, minSkip);
    assertEquals(9, maxSkip);
  }

  @Test
  void configurationMistakesAreUserErrorsNamingTheFlag() {
    assertFlag("--factor", () -> PositionSampler.create(PositionMethod.POSE, 4096, 1, 3.0));
    assertFlag("--factor", () -> PositionSampler.create(PositionMethod.RANDPOS, 4096, 1, 3.0));
    assertFlag("--factor", () -> PositionSampler.create(PositionMethod.CREAM, 4096, 1, 3.0));
    assertFlag("--factor", () -> PositionSampler.create(PositionMethod.CONTIGUOUS, 4096, 0, 3.0));
    // Contiguous ids do not reach past the window, so f = 1 is allowed there.
    PositionSampler plain = PositionSampler.create(PositionMethod.CONTIGUOUS, 16, 1, 3.0);
    assertEquals(16, plain.targetWindow());
    assertArrayEquals(IntStream.range(0, 16).toArray(), plain.sample(new SplittableRandom(1)).positions());
    assertFlag("--window", () -> PositionSampler.create(PositionMethod.RANDPOS, 2, 8, 3.0));
    assertFlag("--sigma", () -> PositionSampler.create(PositionMethod.CREAM, 4096, 8, 0.0));
    assertFlag("--sigma", () -> PositionSampler.create(PositionMethod.CREAM, 4096, 8, Double.NaN));
    assertFlag("--window", () -> PositionSampler.create(PositionMethod.CREAM, 64, 8, 3.0));
    assertFlag("--factor", () -> PositionSampler.create(PositionMethod.CONTIGUOUS, 1 << 20, 1 << 12, 3.0));
    // The largest target window that fits an int is fine.
    PositionSampler.create(PositionMethod.POSE, 1 << 20, (1 << 11) - 1, 3.0);
  }

  private static void assertFlag(String flag, Runnable action) {
    UserError e = assertThrows(UserError.class, action::run);
    assertTrue(e.getMessage().contains(flag), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void namesParseCaseInsensitively() {
    assertEquals(PositionMethod.CREAM, PositionMethod.parse("CReam"));
    assertEquals(PositionMethod.RANDPOS, PositionMethod.parse(" randpos "));
    UserError e = assertThrows(UserError.class, () -> PositionMethod.parse("yarn"));
    assertTrue(e.getMessage().contains("cream|pose|randpos|contiguous"), e.getMessage());
    assertEquals(BranchMode.PER_BATCH, BranchMode.parse("per-batch"));
    assertEquals(BranchMode.PER_SAMPLE, BranchMode.parse("PER_SAMPLE"));
    assertThrows(UserError.class, () -> BranchMode.parse("sometimes"));
  }
}
