package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.data.TokenizedCorpus;
import io.cream.model.TrainBatch;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSampler;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Conversations (several target spans, one per assistant turn) are trained on their spans only:
 * a row's target is kept exactly when the token it predicts lies in an assistant span.
 */
class ConversationSamplesTest {
  /** Document d's token i is (d+1)·100000 + i; spans as TokenizedCorpus.targetSpans gives them. */
  static TokenizedCorpus conversations(int[] lengths, int[][] spans) {
    TokenizedCorpus plain = SampleSourceTest.corpus(lengths);
    List<int[]> docs = new java.util.ArrayList<>();
    List<String> ids = new java.util.ArrayList<>();
    for (int d = 0; d < lengths.length; d++) {
      docs.add(plain.tokens(d));
      ids.add(plain.id(d));
    }
    return TokenizedCorpus.withSpans(ids, docs, List.of(spans));
  }

  static boolean inAssistant(int[] spans, int token) {
    for (int i = 0; i < spans.length; i += 2) if (token >= spans[i] && token < spans[i + 1]) return true;
    return false;
  }

  @Test
  void contiguousTrainsEachAssistantTurnAndNothingElse() {
    int n = 32, eos = 2;
    // doc0: a conversation of 20 tokens, replies at [5, 8) and [12, 20); doc1: one ending in a user turn.
    int[] spans0 = {5, 8, 12, 20};
    int[] spans1 = {3, 6};
    TokenizedCorpus c = conversations(new int[] {20, 10}, new int[][] {spans0, spans1});
    SampleSource s = new SampleSource(c, SampleSourceTest.stream(PositionSampler.create(PositionMethod.CONTIGUOUS, n, 8, 3)), 1, 5, eos);
    assertEquals(2, s.samplesPerEpoch(), "each conversation a sample of its own, never packed");
    for (int k = 0; k < 2; k++) {
      TrainBatch b = s.batch(k);
      int doc = b.tokens()[0] / 100000 - 1;
      int[] spans = doc == 0 ? spans0 : spans1;
      int len = doc == 0 ? 20 : 10;
      for (int i = 0; i < n; i++) {
        int t = i + 1;
        int want = t < len ? (inAssistant(spans, t) ? (doc + 1) * 100000 + t : -1)
            : t == len && inAssistant(spans, len - 1) ? eos : -1; // EOS only after a final reply
        assertEquals(want, b.targets()[i], "document " + doc + " row " + i);
      }
    }
  }

  @Test
  void creamKeepsTheConversationWholeAndTargetsTheRepliesItSelects() {
    int n = 64, f = 4;
    int[] spans = {30, 60, 100, 140, 190, 250};
    TokenizedCorpus c = conversations(new int[] {250}, new int[][] {spans});
    SampleSource s = new SampleSource(c, SampleSourceTest.stream(PositionSampler.create(PositionMethod.CREAM, n, f, 3)), 2, 4, 2);
    int targets = 0;
    for (int k = 0; k < 6; k++) {
      TrainBatch b = s.batch(k);
      for (int r = 0; r < 2; r++) {
        int o = r * n;
        assertEquals(100000, b.tokens()[o], "the head starts at the conversation's start");
        for (int i = 0; i < n; i++) {
          boolean reply = i + 1 < n && inAssistant(spans, b.tokens()[o + i + 1] - 100000);
          assertEquals(reply ? b.tokens()[o + i + 1] : -1, b.targets()[o + i], "row " + i);
          if (reply) targets++;
        }
      }
    }
    assertTrue(targets > 0);
  }
}
