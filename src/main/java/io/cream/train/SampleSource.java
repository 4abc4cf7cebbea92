package io.cream.train;

import io.cream.data.TokenizedCorpus;
import io.cream.model.TrainBatch;
import io.cream.positions.BranchMode;
import io.cream.positions.PositionMethod;
import io.cream.positions.PositionSample;
import io.cream.positions.PositionSampler;
import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Turns a tokenized corpus into training micro-batches of N tokens per sequence, as a pure
 * function of (seed, micro-batch index): a resumed run sees exactly the samples it would have seen.
 *
 * <p>CREAM, PoSE and RandPos: every document is cut into pieces of at most the target window
 * S = f·N tokens (a book becomes many pieces; a piece shorter than the sampler's minimum is
 * dropped), pieces are visited in a fresh seeded shuffle each epoch, and each sample's position
 * ids and tokens come from the sampler (cream-method.md sections 1–2). Contiguous: documents are
 * concatenated, each followed by EOS, and cut into consecutive N-token windows with positions
 * 0…N−1, the windows visited in a seeded shuffle per epoch. Targets are the next selected token within the sample (labels = inputs, shifted, as the
 * reference code trains), -1 at each sample's last row.
 *
 * <p>Prompt/completion documents ({@link TokenizedCorpus#promptLength} &gt; 0) are never cut or
 * packed with others, since a piece without its prompt would teach the model to answer from
 * nothing: each is one sample of its own (contiguous: the document, EOS, then EOS padding that is
 * not trained on; the other methods: the whole document as one piece), and a target is kept only
 * where the token predicted lies in the completion. A prompt document that does not fit (longer
 * than N tokens for contiguous, than f·N otherwise, or shorter than the sampler's minimum) is left
 * out and counted ({@link #skippedPromptDocuments}).
 */
public final class SampleSource {
  private final TokenizedCorpus corpus;
  private final PositionSampler sampler;
  private final BranchMode branchMode;
  private final int window;
  private final int batch;
  private final long seed;
  private final int eos;
  private final List<long[]> pieces = new ArrayList<>(); // {doc, start, length}
  /** Contiguous: the documents packed together, and where each starts in the packing (with EOS). */
  private final int[] packedDocs;
  private final long[] packedStarts;
  private final long packedTokens;
  /** Contiguous: prompt/completion documents, one sample each. */
  private final List<Integer> standalone = new ArrayList<>();
  private final int skippedPromptDocuments;
  private int cachedEpoch = -1;
  private int[] cachedOrder;

  public SampleSource(TokenizedCorpus corpus, PositionSampler sampler, BranchMode branchMode,
      int batch, long seed, int eosId) {
    this.corpus = corpus;
    this.sampler = sampler;
    this.branchMode = branchMode;
    this.window = sampler.window();
    this.batch = batch;
    this.seed = seed;
    this.eos = eosId;
    int skipped = 0;
    if (sampler.method() == PositionMethod.CONTIGUOUS) {
      List<Integer> packed = new ArrayList<>();
      for (int d = 0; d < corpus.documentCount(); d++) {
        if (corpus.promptLength(d) == 0) {
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
        if (corpus.promptLength(d) > 0) {
          if (n >= min && n <= span) pieces.add(new long[] {d, 0, n}); else skipped++;
          continue;
        }
        for (int s = 0; s < n; s += span) {
          int len = Math.min(span, n - s);
          if (len >= min) pieces.add(new long[] {d, s, len});
        }
      }
      UserError.require(!pieces.isEmpty(), "no training document has the " + min
          + " tokens that " + sampler.method().name().toLowerCase() + " needs at --window "
          + window + ": add longer documents or lower --window");
    }
    skippedPromptDocuments = skipped;
  }

  /** Prompt/completion documents left out because they do not fit a sample (see the class doc). */
  public int skippedPromptDocuments() {
    return skippedPromptDocuments;
  }

  /** Number of distinct samples per epoch. */
  public long samplesPerEpoch() {
    return sampler.method() == PositionMethod.CONTIGUOUS
        ? packedWindows() + standalone.size() : pieces.size();
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
    List<PositionSample> perBatch = null;
    SplittableRandom batchRng = null;
    if (branchMode == BranchMode.PER_BATCH && sampler.method() != PositionMethod.CONTIGUOUS) {
      batchRng = PositionSampler.rngFor(seed ^ 0x6A09E667F3BCC909L, index);
      perBatch = sampler.sampleBatch(batchRng, batch);
    }
    for (int b = 0; b < batch; b++) {
      long sampleIndex = index * batch + b;
      int off = b * n;
      if (sampler.method() == PositionMethod.CONTIGUOUS) {
        int promptDoc = contiguous(sampleIndex, row);
        int prompt = promptDoc < 0 ? 0 : corpus.promptLength(promptDoc);
        int end = promptDoc < 0 ? n : corpus.length(promptDoc); // last row whose target counts
        for (int i = 0; i < n; i++) {
          tokens[off + i] = row[i];
          positions[off + i] = i;
          targets[off + i] = i + 1 >= prompt && i + 1 <= end ? row[i + 1] : -1;
        }
        continue;
      }
      SplittableRandom rng = batchRng != null ? batchRng : PositionSampler.rngFor(seed, sampleIndex);
      PositionSample s = perBatch != null ? perBatch.get(b) : sampler.sample(rng);
      long[] piece = piece(sampleIndex);
      int[] idx = sampler.selectTokens(s, (int) piece[2], rng);
      int[] doc = new int[(int) piece[2]];
      corpus.copy((int) piece[0], (int) piece[1], doc, 0, doc.length);
      int prompt = corpus.promptLength((int) piece[0]); // prompt pieces start at the document's start
      for (int i = 0; i < n; i++) {
        tokens[off + i] = doc[idx[i]];
        positions[off + i] = s.positions()[i];
      }
      for (int i = 0; i < n; i++) {
        targets[off + i] = i + 1 < n && idx[i + 1] >= prompt ? tokens[off + i + 1] : -1;
      }
    }
    return new TrainBatch(batch, n, tokens, positions, targets);
  }

  /** The piece for a sample: a fresh shuffle of all pieces each epoch. */
  private long[] piece(long sampleIndex) {
    return pieces.get(shuffled(sampleIndex, pieces.size()));
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
   * seeded shuffle, every packed window and every prompt/completion document. Returns the prompt
   * document's index, or -1 for a packed window.
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
