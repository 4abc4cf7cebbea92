package io.cream.train;

import io.cream.data.TokenizedCorpus;
import io.cream.model.TrainBatch;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSample;
import io.cream.positions.PositionSampler;
import io.cream.positions.SampleStream;
import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a tokenized corpus into training micro-batches of N tokens per sequence, as a pure
 * function of (seed, micro-batch index): a resumed run sees exactly the samples it would have seen.
 *
 * <p>CREAM, PoSE and RandPos: by default one sample per whole document, as the reference's
 * train.py makes them (a document shorter than the sampler's minimum is dropped); with {@link
 * SampleUnit#PIECES}, documents are first cut into items of at most the target window S = f·N
 * tokens and each piece is read as a document; with {@link SampleUnit#WINDOWS} a document longer
 * than S gives as many items as whole pieces fit in it, each read, every time it is drawn, as the
 * S-token window at a random offset (from the seed and the sample's index). Items (documents or items, in corpus order) are
 * visited in a fresh seeded shuffle each epoch; the sample made from item p in epoch e is sample
 * e·D + p of the {@link SampleStream} (D items), which gives its position ids and the random
 * stream that picks its tokens (docs/method.md sections 1–2). PoSE reads at most the first S
 * tokens of a document, as its reference truncates them. Contiguous: documents are concatenated,
 * each followed by EOS, and cut into consecutive N-token windows with positions 0…N−1, the windows
 * visited in a seeded shuffle per epoch. Targets are the next selected token within the sample
 * (labels = inputs, shifted, as the reference code trains), -1 at each sample's last row.
 *
 * <p>Masked documents — prompt/completion documents and conversations ({@link
 * TokenizedCorpus#masked}) — are never cut or packed with others, since a piece without its prompt
 * would teach the model to answer from nothing: each is one sample of its own (contiguous: the
 * document, EOS, then EOS padding that is not trained on; the other methods: the whole document
 * as one piece, its tokens chosen so that its last ones are read: {@link
 * PositionSampler#selectTokensToEnd}), and a target is kept only where the token predicted lies in a
 * target span (the completion, or an assistant turn). Contiguous trains the EOS after the document
 * when the document's last token is a target (a completion's end). A masked document that does not
 * fit (longer than N tokens for contiguous, than {@link PositionSampler#longestCompletionDocument}
 * otherwise — f·N for CREAM and PoSE, N for RandPos, which reads a document's first N tokens — or
 * shorter than the sampler's minimum) is left out and counted ({@link #skippedPromptDocuments}).
 */
public final class SampleSource {
  /** An item's start when its window's offset is drawn per sample ({@link SampleUnit#WINDOWS}). */
  private static final long RANDOM_START = -1;
  private final TokenizedCorpus corpus;
  private final PositionSampler sampler;
  private final SampleStream stream;
  private final int window;
  private final int batch;
  private final long seed;
  private final int eos;
  /**
   * What samples are made from: whole documents or pieces, {doc, start, length}, in corpus order;
   * start is {@link #RANDOM_START} for a window whose offset is drawn per sample.
   */
  private final List<long[]> items = new ArrayList<>();
  /** Contiguous: the documents packed together, and where each starts in the packing (with EOS). */
  private final int[] packedDocs;
  private final long[] packedStarts;
  private final long packedTokens;
  /** Contiguous: prompt/completion documents, one sample each. */
  private final List<Integer> standalone = new ArrayList<>();
  private final int skippedPromptDocuments;
  private int skippedShortDocuments;
  private int cachedEpoch = -1;
  private int[] cachedOrder;

  /** One sample per whole document (the default unit). */
  public SampleSource(TokenizedCorpus corpus, SampleStream stream, int batch, long seed, int eosId) {
    this(corpus, stream, SampleUnit.DOCUMENTS, batch, seed, eosId);
  }

  public SampleSource(TokenizedCorpus corpus, SampleStream stream, SampleUnit unit,
      int batch, long seed, int eosId) {
    this.corpus = corpus;
    this.stream = stream;
    this.sampler = stream.sampler();
    this.window = sampler.window();
    this.batch = batch;
    this.seed = seed;
    this.eos = eosId;
    int skipped = 0;
    if (sampler.method() == PositionMethod.CONTIGUOUS) {
      List<Integer> packed = new ArrayList<>();
      for (int d = 0; d < corpus.documentCount(); d++) {
        if (!corpus.masked(d)) {
          packed.add(d);
        } else if (corpus.length(d) <= window) {
          standalone.add(d);
        } else {
          skipped++;
        }
      }
      packedDocs = packed.stream().mapToInt(Integer::intValue).toArray();
      packedStarts = new long[packedDocs.length + 1];
      for (int i = 0; i < packedDocs.length; i++) {
        packedStarts[i + 1] = packedStarts[i] + corpus.length(packedDocs[i]) + 1L;
      }
      long total = packedStarts[packedDocs.length];
      packedTokens = total >= window + 1L ? total : 0;
      UserError.require(packedTokens > 0 || !standalone.isEmpty(), "the training data holds "
          + total + " tokens of text, fewer than one window of " + window + " + 1, and no"
          + " prompt/completion document of at most " + window + " tokens: add documents or lower --window");
    } else {
      packedDocs = new int[0];
      packedStarts = new long[1];
      packedTokens = 0;
      int span = sampler.targetWindow();
      int min = sampler.minDocumentLength();
      for (int d = 0; d < corpus.documentCount(); d++) {
        int n = corpus.length(d);
        if (corpus.masked(d)) {
          if (n >= min && n <= sampler.longestCompletionDocument()) items.add(new long[] {d, 0, n}); else skipped++;
          continue;
        }
        if (unit == SampleUnit.DOCUMENTS) {
          if (n >= min) items.add(new long[] {d, 0, n}); else skippedShortDocuments++;
          continue;
        }
        if (unit == SampleUnit.WINDOWS && n > span) {
          for (int k = 0; k < n / span; k++) items.add(new long[] {d, RANDOM_START, span});
          continue;
        }
        for (int s = 0; s < n; s += span) {
          int len = Math.min(span, n - s);
          if (len >= min) items.add(new long[] {d, s, len});
        }
      }
      UserError.require(!items.isEmpty(), "no training document has the " + min
          + " tokens that " + sampler.method().name().toLowerCase() + " needs at --window "
          + window + ": add longer documents or lower --window");
    }
    skippedPromptDocuments = skipped;
  }

  /** Text documents left out for being shorter than the sampler's minimum (documents unit). */
  public int skippedShortDocuments() {
    return skippedShortDocuments;
  }

  /** Masked documents (prompt/completion, conversations) left out because they do not fit a sample. */
  public int skippedPromptDocuments() {
    return skippedPromptDocuments;
  }

  /** Number of distinct samples per epoch. */
  public long samplesPerEpoch() {
    return sampler.method() == PositionMethod.CONTIGUOUS
        ? packedWindows() + standalone.size() : items.size();
  }

  private long packedWindows() {
    return packedTokens / (window + 1);
  }

  /** Micro-batch number {@code index} (0, 1, 2, ... over the whole run). */
  public TrainBatch batch(long index) {
    int n = window;
    int[] tokens = new int[batch * n];
    int[] positions = new int[batch * n];
    int[] targets = new int[batch * n];
    int[] row = new int[n + 1];
    for (int b = 0; b < batch; b++) {
      long sampleIndex = index * batch + b;
      int off = b * n;
      if (sampler.method() == PositionMethod.CONTIGUOUS) {
        int maskedDoc = contiguous(sampleIndex, row);
        int[] spans = maskedDoc < 0 ? null : corpus.targetSpans(maskedDoc);
        int len = maskedDoc < 0 ? n : corpus.length(maskedDoc);
        // The EOS after a masked document is a target when its last token is one.
        boolean eosTrained = maskedDoc >= 0 && TokenizedCorpus.inSpans(spans, len - 1);
        for (int i = 0; i < n; i++) {
          tokens[off + i] = row[i];
          positions[off + i] = i;
          int t = i + 1; // the token predicted at row i
          boolean target = maskedDoc < 0 || (t < len ? TokenizedCorpus.inSpans(spans, t) : t == len && eosTrained);
          targets[off + i] = target ? row[t] : -1;
        }
        continue;
      }
      int count = items.size();
      int item = shuffled(sampleIndex, count);
      long[] chosen = items.get(item);
      SampleStream.Draw draw = stream.draw(sampleIndex / count * count + item);
      PositionSample s = draw.sample();
      // PoSE's reference truncates documents to the target window before sampling.
      int length = (int) (sampler.method() == PositionMethod.POSE ? Math.min(chosen[2], sampler.targetWindow()) : chosen[2]);
      boolean masked = corpus.masked((int) chosen[0]);
      int[] idx = masked ? sampler.selectTokensToEnd(s, length, draw.rng()) : sampler.selectTokens(s, length, draw.rng());
      int start = (int) chosen[1];
      if (start == RANDOM_START) {
        // Its own stream, so that the tokens a sampler picks inside the window match pieces'.
        int room = corpus.length((int) chosen[0]) - (int) chosen[2];
        start = PositionSampler.rngFor(seed ^ 0x3C6EF372FE94F82BL, sampleIndex).nextInt(room + 1);
      }
      gather((int) chosen[0], start, idx, tokens, off);
      // Masked items are whole documents (start 0), so idx are the document's token indices.
      int[] spans = masked ? corpus.targetSpans((int) chosen[0]) : null;
      for (int i = 0; i < n; i++) positions[off + i] = s.positions()[i];
      for (int i = 0; i < n; i++) {
        boolean target = i + 1 < n && (spans == null || TokenizedCorpus.inSpans(spans, idx[i + 1]));
        targets[off + i] = target ? tokens[off + i + 1] : -1;
      }
    }
    return new TrainBatch(batch, n, tokens, positions, targets);
  }

  /** Copies the document tokens at start + idx (increasing) into out[off…], a run at a time. */
  private void gather(int doc, int start, int[] idx, int[] out, int off) {
    for (int i = 0; i < idx.length; ) {
      int j = i + 1;
      while (j < idx.length && idx[j] == idx[j - 1] + 1) j++;
      corpus.copy(doc, start + idx[i], out, off + i, j - i);
      i = j;
    }
  }

  /** Item number sampleIndex of a sequence of epochs, each a fresh seeded shuffle of [0, count). */
  private synchronized int shuffled(long sampleIndex, int count) {
    int epoch = (int) (sampleIndex / count);
    if (epoch != cachedEpoch) {
      int[] order = new int[count];
      for (int i = 0; i < count; i++) order[i] = i;
      SplittableRandom rng = PositionSampler.rngFor(seed ^ 0xBB67AE8584CAA73BL, epoch);
      for (int i = count - 1; i > 0; i--) {
        int j = rng.nextInt(i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      cachedOrder = order;
      cachedEpoch = epoch;
    }
    return cachedOrder[(int) (sampleIndex % count)];
  }

  /**
   * Fills out with the N+1 tokens of contiguous sample sampleIndex: each epoch visits, in a fresh
   * seeded shuffle, every packed window and every masked document. Returns the masked document's
   * index, or -1 for a packed window.
   */
  private int contiguous(long sampleIndex, int[] out) {
    long windows = packedWindows();
    long k = shuffled(sampleIndex, (int) Math.min(windows + standalone.size(), Integer.MAX_VALUE));
    if (k < windows) {
      packed(k * (window + 1L), out);
      return -1;
    }
    int doc = standalone.get((int) (k - windows));
    int len = corpus.length(doc);
    corpus.copy(doc, 0, out, 0, len);
    java.util.Arrays.fill(out, len, out.length, eos);
    return doc;
  }

  /**
   * The N+1 tokens of the concatenation doc₀ EOS doc₁ EOS … (packed documents only) from start.
   */
  private void packed(long start, int[] out) {
    // The packed document holding `start`: the last one starting at or before it.
    int lo = 0, hi = packedDocs.length - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (packedStarts[mid] <= start) lo = mid; else hi = mid - 1;
    }
    int at = lo;
    long within = start - packedStarts[at];
    int filled = 0;
    while (filled < out.length) {
      int doc = packedDocs[at];
      int len = corpus.length(doc);
      if (within < len) {
        int take = (int) Math.min(len - within, out.length - filled);
        corpus.copy(doc, (int) within, out, filled, take);
        filled += take;
        within += take;
      } else {
        out[filled++] = eos;
        at = (at + 1) % packedDocs.length;
        within = 0;
      }
    }
  }
}
