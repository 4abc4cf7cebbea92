package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.data.TokenizedCorpus;
import io.cream.model.TrainBatch;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSampler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SampleSourceTest {
  /** Documents whose token at index i is doc·100000 + i, so any token says where it came from. */
  static TokenizedCorpus corpus(int... lengths) {
    List<String> ids = new ArrayList<>();
    List<int[]> docs = new ArrayList<>();
    for (int d = 0; d < lengths.length; d++) {
      int[] t = new int[lengths[d]];
      for (int i = 0; i < t.length; i++) t[i] = (d + 1) * 100000 + i;
      ids.add("doc" + d);
      docs.add(t);
    }
    return TokenizedCorpus.of(ids, docs);
  }

  @Test
  void contiguousWindowsAreSlicesOfTheConcatenationAndCoverAnEpoch() {
    int n = 16, eos = 2;
    TokenizedCorpus c = corpus(50, 7, 90);
    SampleSource s = new SampleSource(c, PositionSampler.create(PositionMethod.CONTIGUOUS, n, 8, 3, BranchMode.PER_SAMPLE), BranchMode.PER_SAMPLE, 1, 3, eos);
    List<Integer> concat = new ArrayList<>();
    for (int d = 0; d < 3; d++) {
      for (int t : c.tokens(d)) concat.add(t);
      concat.add(eos);
    }
    long perEpoch = s.samplesPerEpoch();
    assertEquals(concat.size() / (n + 1), perEpoch);
    Set<Integer> starts = new HashSet<>();
    for (int k = 0; k < perEpoch; k++) {
      TrainBatch b = s.batch(k);
      int start = concat.indexOf(b.tokens()[0]);
      if (b.tokens()[0] == eos) start = -1; // find by the following token instead
      if (start < 0) start = concat.indexOf(b.tokens()[1]) - 1;
      assertEquals(0, start % (n + 1), "windows start on (N+1) boundaries");
      starts.add(start);
      for (int i = 0; i < n; i++) {
        assertEquals(concat.get(start + i), b.tokens()[i]);
        assertEquals(concat.get(start + i + 1), b.targets()[i]);
        assertEquals(i, b.positions()[i]);
      }
    }
    assertEquals(perEpoch, starts.size(), "one epoch visits every window once");
  }

  @Test
  void creamSamplesTakeTheSamplersPositionsAndTokens() {
    int n = 80, f = 8;
    TokenizedCorpus c = corpus(700, 60, 2000);
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, n, f, 3, BranchMode.PER_SAMPLE);
    SampleSource s = new SampleSource(c, sampler, BranchMode.PER_SAMPLE, 3, 9, 2);
    // Pieces: doc0 (700), doc2 cut into 640 + 640 + 640 + 80 — the 80-token rest is below N+1.
    assertEquals(4, s.samplesPerEpoch());
    for (int k = 0; k < 6; k++) {
      TrainBatch b = s.batch(k);
      for (int r = 0; r < 3; r++) {
        int o = r * n;
        assertEquals(0, b.positions()[o], "head starts at 0");
        assertEquals(n * f - 1, b.positions()[o + n - 1], "tail ends at f·N − 1");
        int doc = b.tokens()[o] / 100000;
        for (int i = 0; i < n; i++) {
          assertEquals(doc, b.tokens()[o + i] / 100000, "one document per sample");
          if (i > 0) assertTrue(b.tokens()[o + i] > b.tokens()[o + i - 1], "tokens in document order");
          assertEquals(i + 1 < n ? b.tokens()[o + i + 1] : -1, b.targets()[o + i]);
        }
      }
    }
    // The same index gives the same batch: what exact resume relies on.
    assertEquals(java.util.Arrays.toString(s.batch(5).tokens()), java.util.Arrays.toString(
        new SampleSource(c, sampler, BranchMode.PER_SAMPLE, 3, 9, 2).batch(5).tokens()));
  }
}
