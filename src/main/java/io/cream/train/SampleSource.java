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
  private final long packedTokens;
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
    if (sampler.method() == PositionMethod.CONTIGUOUS) {
      long total = 0;
      for (int d = 0; d < corpus.documentCount(); d++) total += corpus.length(d) + 1L;
      packedTokens = total;
      UserError.require(total >= window + 1L, "the training data holds " + total
          + " tokens, fewer than one window of " + window + " + 1: add documents or lower --window");
    } else {
      packedTokens = 0;
      int span = sampler.targetWindow();
      int min = sampler.minDocumentLength();
      for (int d = 0; d < corpus.documentCount(); d++) {
        int n = corpus.length(d);
        for (int s = 0; s < n; s += span) {
          int len = Math.min(span, n - s);
          if (len >= min) pieces.add(new long[] {d, s, len});
        }
      }
      UserError.require(!pieces.isEmpty(), "no training document has the " + min
          + " tokens that " + sampler.method().name().toLowerCase() + " needs at --window "
          + window + ": add longer documents or lower --window");
    }
  }

  /** Number of distinct samples per epoch. */
  public long samplesPerEpoch() {
    return sampler.method() == PositionMethod.CONTIGUOUS ? packedTokens / (window + 1) : pieces.size();
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
        packed(sampleIndex, row);
        for (int i = 0; i < n; i++) {
          tokens[off + i] = row[i];
          positions[off + i] = i;
          targets[off + i] = row[i + 1];
        }
        continue;
      }
      SplittableRandom rng = batchRng != null ? batchRng : PositionSampler.rngFor(seed, sampleIndex);
      PositionSample s = perBatch != null ? perBatch.get(b) : sampler.sample(rng);
      long[] piece = piece(sampleIndex);
      int[] idx = sampler.selectTokens(s, (int) piece[2], rng);
      int[] doc = new int[(int) piece[2]];
      corpus.copy((int) piece[0], (int) piece[1], doc, 0, doc.length);
      for (int i = 0; i < n; i++) {
        tokens[off + i] = doc[idx[i]];
        positions[off + i] = s.positions()[i];
      }
      for (int i = 0; i < n; i++) targets[off + i] = i + 1 < n ? tokens[off + i + 1] : -1;
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
   * Window k of the concatenation doc₀ EOS doc₁ EOS …, cut into (N+1)-token windows, where k runs
   * through a fresh seeded shuffle of all windows each epoch (so a mixture of sources is mixed).
   */
  private void packed(long sampleIndex, int[] out) {
    long perEpoch = packedTokens / (window + 1);
    long start = shuffled(sampleIndex, (int) Math.min(perEpoch, Integer.MAX_VALUE)) * (window + 1L);
    // Find the document holding `start` (linear scan from a binary search over starts).
    int lo = 0, hi = corpus.documentCount() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (corpus.start(mid) + mid <= start) lo = mid; else hi = mid - 1;
    }
    int doc = lo;
    long within = start - (corpus.start(doc) + doc);
    int filled = 0;
    while (filled < out.length) {
      int len = corpus.length(doc);
      if (within < len) {
        int take = (int) Math.min(len - within, out.length - filled);
        corpus.copy(doc, (int) within, out, filled, take);
        filled += take;
        within += take;
      } else {
        out[filled++] = eos;
        doc = (doc + 1) % corpus.documentCount();
        within = 0;
      }
    }
  }
}
