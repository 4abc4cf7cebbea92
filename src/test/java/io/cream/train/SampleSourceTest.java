package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.data.TokenizedCorpus;
import io.cream.model.TrainBatch;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSample;
import io.cream.positions.PositionSampler;
import io.cream.positions.SampleStream;
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

  /** Per-sample draws with seed 7. */
  static SampleStream stream(PositionSampler sampler) {
    return new SampleStream(sampler, BranchMode.PER_SAMPLE, SampleStream.REFERENCE_BATCH, 7);
  }

  @Test
  void contiguousWindowsAreSlicesOfTheConcatenationAndCoverAnEpoch() {
    int n = 16, eos = 2;
    TokenizedCorpus c = corpus(50, 7, 90);
    SampleSource s = new SampleSource(c, stream(PositionSampler.create(PositionMethod.CONTIGUOUS, n, 8, 3)), 1, 3, eos);
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

  /** corpus(lengths) whose documents start with the given prompt lengths. */
  static TokenizedCorpus withPrompts(int[] lengths, int[] prompts) {
    TokenizedCorpus c = corpus(lengths);
    List<String> ids = new ArrayList<>();
    List<int[]> docs = new ArrayList<>();
    for (int d = 0; d < lengths.length; d++) {
      ids.add(c.id(d));
      docs.add(c.tokens(d));
    }
    return TokenizedCorpus.of(ids, docs, prompts);
  }

  @Test
  void contiguousPromptDocumentsAreSamplesOfTheirOwnTrainedOnTheCompletion() {
    int n = 16, eos = 2;
    // doc0, doc2: plain text (packed); doc1: 12 tokens, the first 9 a prompt; doc3: a prompt doc too long.
    TokenizedCorpus c = withPrompts(new int[] {40, 12, 30, 17}, new int[] {0, 9, 0, 5});
    SampleSource s = new SampleSource(c, stream(PositionSampler.create(PositionMethod.CONTIGUOUS, n, 8, 3)), 1, 5, eos);
    assertEquals(1, s.skippedPromptDocuments());
    long packedWindows = (40 + 1 + 30 + 1) / (n + 1);
    assertEquals(packedWindows + 1, s.samplesPerEpoch());
    int standalone = 0;
    for (int k = 0; k < s.samplesPerEpoch(); k++) {
      TrainBatch b = s.batch(k);
      boolean prompt = false;
      for (int t : b.tokens()) {
        assertTrue(t / 100000 != 4, "the too-long prompt document never appears");
        prompt |= t / 100000 == 2;
      }
      if (!prompt) continue;
      standalone++;
      for (int i = 0; i < n; i++) {
        int want = i < 12 ? 200000 + i : eos;
        assertEquals(want, b.tokens()[i], "document, then EOS padding");
        assertEquals(i, b.positions()[i]);
        // Targets: tokens 9..11 of the completion and the EOS after it; nothing in the prompt or padding.
        int target = i + 1 >= 9 && i + 1 < 12 ? 200000 + i + 1 : i + 1 == 12 ? eos : -1;
        assertEquals(target, b.targets()[i], "target of row " + i);
      }
    }
    assertEquals(1, standalone, "the prompt document is one sample per epoch");
  }

  @Test
  void creamAndPoseReadAPromptDocumentToItsEndAndTrainOnlyItsCompletion() {
    for (PositionMethod method : new PositionMethod[] {PositionMethod.CREAM, PositionMethod.POSE}) {
      int n = 64, f = 4;
      // doc0: a prompt document of 200 tokens (the first 180 a prompt), longer than N: CREAM's tail
      // and PoSE's second chunk must end with it, or no sample would train its answer; doc1: 600
      // tokens of text; doc2: a prompt document longer than f·N.
      TokenizedCorpus c = withPrompts(new int[] {200, 600, 300}, new int[] {180, 0, 50});
      SampleSource s = new SampleSource(c, stream(PositionSampler.create(method, n, f, 3)), SampleUnit.PIECES, 2, 4, 2);
      assertEquals(1, s.skippedPromptDocuments(), method + ": the one longer than f·N");
      assertEquals(1 + 3, s.samplesPerEpoch(), "the prompt document whole, the text in pieces of 256, 256 and 88");
      int seen = 0;
      for (int k = 0; k < 8; k++) {
        TrainBatch b = s.batch(k);
        for (int r = 0; r < 2; r++) {
          int o = r * n;
          if (b.tokens()[o] / 100000 != 1) continue;
          seen++;
          assertEquals(100000, b.tokens()[o], "a prompt document is never cut: its sample starts at its start");
          assertEquals(199 + 100000, b.tokens()[o + n - 1], method + " reads the completion's end");
          int trained = 0;
          for (int i = 0; i < n; i++) {
            boolean completion = i + 1 < n && b.tokens()[o + i + 1] - 100000 >= 180;
            assertEquals(completion ? b.tokens()[o + i + 1] : -1, b.targets()[o + i], method + " row " + i);
            if (completion) trained++;
          }
          assertTrue(trained > 0, method + ": the sample trains its answer");
          if (method == PositionMethod.POSE) assertEquals(20, trained, "PoSE's second chunk (≥ N/2) holds all 20");
        }
      }
      assertTrue(seen > 0);
    }
  }

  @Test
  void randPosLeavesOutPromptDocumentsLongerThanItsWindow() {
    int n = 64, f = 4;
    // RandPos reads a document's first N tokens: of a 200-token prompt document it would read no answer.
    TokenizedCorpus c = withPrompts(new int[] {200, 64, 600}, new int[] {180, 60, 0});
    SampleSource s = new SampleSource(c, stream(PositionSampler.create(PositionMethod.RANDPOS, n, f, 3)),
        SampleUnit.PIECES, 2, 4, 2);
    assertEquals(1, s.skippedPromptDocuments());
    assertEquals(1 + 3, s.samplesPerEpoch(), "the 64-token prompt document, the text in pieces of 256, 256 and 88");
  }

  @Test
  void windowsAreAsManyAsPiecesEachAtAFreshRandomOffset() {
    int n = 80, f = 8, span = n * f;
    TokenizedCorpus c = corpus(700, 60, 2000);
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, n, f, 3);
    SampleSource s = new SampleSource(c, stream(sampler), SampleUnit.WINDOWS, 3, 9, 2);
    // doc0 (700) holds one whole window, doc2 (2000) three; doc1 is shorter than N + 1.
    assertEquals(4, s.samplesPerEpoch());
    java.util.Set<Integer> doc2Heads = new java.util.HashSet<>();
    for (int k = 0; k < 40; k++) {
      TrainBatch b = s.batch(k);
      for (int r = 0; r < 3; r++) {
        int o = r * n;
        int doc = b.tokens()[o] / 100000 - 1;
        int head = b.tokens()[o] % 100000, tail = b.tokens()[o + n - 1] % 100000;
        assertEquals(span - 1, tail - head, "CREAM's head and tail are a window's first and last tokens");
        assertTrue(head >= 0 && tail < (doc == 0 ? 700 : 2000), "the window lies inside its document");
        for (int i = 1; i < n; i++) assertEquals(doc, b.tokens()[o + i] / 100000 - 1, "one document per sample");
        if (doc == 2) doc2Heads.add(head);
      }
    }
    assertTrue(doc2Heads.size() > 20, "offsets drawn afresh, not a fixed grid: " + doc2Heads);
    assertTrue(doc2Heads.stream().anyMatch(h -> h % span != 0));
    // The same index gives the same batch: what exact resume relies on.
    assertEquals(java.util.Arrays.toString(s.batch(7).tokens()), java.util.Arrays.toString(
        new SampleSource(c, stream(sampler), SampleUnit.WINDOWS, 3, 9, 2).batch(7).tokens()));
  }

  @Test
  void creamSamplesTakeTheSamplersPositionsAndTokens() {
    int n = 80, f = 8;
    TokenizedCorpus c = corpus(700, 60, 2000);
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, n, f, 3);
    SampleSource s = new SampleSource(c, stream(sampler), SampleUnit.PIECES, 3, 9, 2);
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
        new SampleSource(c, stream(sampler), SampleUnit.PIECES, 3, 9, 2).batch(5).tokens()));
  }

  @Test
  void oneCreamSamplePerWholeDocumentWithItsLastTokensAsTail() {
    int n = 80, f = 8;
    // doc1 is below N + 1 and left out; doc2 is far longer than f·N: one sample still, its tail the end.
    TokenizedCorpus c = corpus(700, 60, 20_000);
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, n, f, 3);
    SampleStream stream = stream(sampler);
    SampleSource s = new SampleSource(c, stream, 2, 9, 2);
    assertEquals(2, s.samplesPerEpoch());
    assertEquals(1, s.skippedShortDocuments());
    Set<Integer> docsSeen = new HashSet<>();
    for (int k = 0; k < 5; k++) { // 5 micro-batches of 2: five epochs
      TrainBatch b = s.batch(k);
      Set<Integer> inBatch = new HashSet<>();
      for (int r = 0; r < 2; r++) {
        int o = r * n;
        int doc = b.tokens()[o] / 100000 - 1;
        inBatch.add(doc);
        int length = c.length(doc);
        assertEquals((doc + 1) * 100000, b.tokens()[o], "the head starts at the document's start");
        assertEquals((doc + 1) * 100000 + length - 1, b.tokens()[o + n - 1], "the tail ends at the document's end");
        // The sample of item `doc` in epoch k is sample k·2 + doc of the stream (items in corpus order).
        long item = doc == 0 ? 0 : 1;
        PositionSample expected = stream.draw(k * 2L + item).sample();
        for (int i = 0; i < n; i++) assertEquals(expected.positions()[i], b.positions()[o + i]);
        int tail = expected.tail();
        for (int i = 0; i < tail; i++) assertEquals((doc + 1) * 100000 + length - tail + i, b.tokens()[o + n - tail + i]);
      }
      assertEquals(Set.of(0, 2), inBatch, "each epoch visits every document once");
      docsSeen.addAll(inBatch);
    }
    assertEquals(Set.of(0, 2), docsSeen);
  }

  @Test
  void poseReadsAtMostTheTargetWindowOfADocument() {
    int n = 32, f = 4;
    TokenizedCorpus c = corpus(10_000);
    SampleSource s = new SampleSource(c, stream(PositionSampler.create(PositionMethod.POSE, n, f, 3)), 4, 3, 2);
    assertEquals(1, s.samplesPerEpoch());
    for (int k = 0; k < 10; k++) {
      TrainBatch b = s.batch(k);
      for (int r = 0; r < 4; r++) {
        for (int i = 0; i < n; i++) assertTrue(b.tokens()[r * n + i] - 100000 < n * f, "token inside the first f·N");
      }
    }
  }

  @Test
  void perBatchBranchFollowsTheStreamsBatchesOfDocuments() {
    int n = 64, f = 4;
    int[] lengths = new int[12];
    java.util.Arrays.fill(lengths, 300);
    TokenizedCorpus c = corpus(lengths);
    PositionSampler sampler = PositionSampler.create(PositionMethod.CREAM, n, f, 3);
    SampleStream stream = new SampleStream(sampler, BranchMode.PER_BATCH, 4, 11);
    SampleSource s = new SampleSource(c, stream, 3, 5, 2);
    for (int k = 0; k < 8; k++) { // two epochs of 12 documents, 3 a micro-batch
      TrainBatch b = s.batch(k);
      for (int r = 0; r < 3; r++) {
        int doc = b.tokens()[r * n] / 100000 - 1;
        long index = (k * 3L + r) / 12 * 12 + doc;
        PositionSample expected = stream.draw(index).sample();
        for (int i = 0; i < n; i++) assertEquals(expected.positions()[i], b.positions()[r * n + i], "document " + doc);
        // Documents 4j … 4j+3 of an epoch share a branch: H = ⌊N/3⌋ = 21 or 4f = 16.
        assertEquals(stream.branchOfBatch(index / 4) == 0 ? 21 : 16, (int) expected.head());
      }
    }
  }
}
