package io.cream.eval;

import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Token-weighted perplexity at a list of lengths: for each length L, the first L tokens of each of
 * the first {@code samples} documents that have at least L tokens (documents in sorted file order);
 * Σ NLL over predicted tokens / their count, exponentiated. Sequences longer than the window are
 * scored with the standard strided scheme: windows of W tokens starting every S tokens, each token
 * predicted once, in the first window that reaches it (so with at least W − S tokens of context
 * after the first window).
 */
public final class PerplexityTask implements EvalTask {
  /** A tokenized document (its first tokens only, as many as the longest length needs). */
  public record Document(String name, int[] ids) {}

  /** Summed negative log-likelihood over a number of predicted tokens. */
  public record Nll(double sum, int tokens) {}

  /** Characters read per token of the longest length before trying more (English is ~4-5). */
  private static final int CHARS_PER_TOKEN_BUDGET = 8;

  private List<Document> documents;

  @Override
  public String name() {
    return "ppl";
  }

  @Override
  public PositionAxis positionAxis() {
    return PositionAxis.NONE;
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    return Grid.lengthsOnly(withDefaults(o));
  }

  /** The documents of a run, tokenized once; read until enough are long enough for every length. */
  public List<Document> documents(EvalModel model, EvalOptions o) {
    if (documents != null) return documents;
    int longest = Collections.max(o.lengths());
    List<Document> docs = new ArrayList<>();
    int longEnough = 0;
    for (Path file : TextFiles.list(o.dataDir(), "ppl (--data)")) {
      if (longEnough >= o.samples()) break;
      int[] ids = firstTokens(model, file, longest);
      if (ids.length < 2) continue;
      docs.add(new Document(o.dataDir().relativize(file).toString(), ids));
      if (ids.length >= longest) longEnough++;
    }
    UserError.require(!docs.isEmpty(), "no document in " + o.dataDir() + " has 2 tokens or more; add text files");
    documents = List.copyOf(docs);
    return documents;
  }

  /** The documents a length uses: the first {@code samples} with at least that many tokens. */
  public List<Document> documentsFor(int length, EvalModel model, EvalOptions o) {
    return documents(model, o).stream().filter(d -> d.ids().length >= length).limit(o.samples()).toList();
  }

  /** Tokens of a text prefix long enough to hold {@code want} tokens (or the whole file). */
  private static int[] firstTokens(EvalModel model, Path file, int want) {
    long chars = (long) want * CHARS_PER_TOKEN_BUDGET + 1000;
    while (true) {
      int max = (int) Math.min(Integer.MAX_VALUE - 16, chars);
      String text = TextFiles.read(file, max);
      int[] ids = model.encode(text);
      // Tokens near a cut may differ from the full text's, so keep a margin past `want`.
      boolean wholeFile = text.length() < max;
      if (wholeFile || ids.length >= want + 64 || max == Integer.MAX_VALUE - 16) {
        return java.util.Arrays.copyOf(ids, Math.min(ids.length, want));
      }
      chars *= 2;
    }
  }

  /** Window and stride for a length: (length, length) when it runs as one sequence. */
  public static int[] windowFor(int length, EvalModel model, EvalOptions o) {
    int window = o.pplWindow() > 0 ? o.pplWindow() : (length > model.contextLimit() ? model.contextLimit() : length);
    UserError.require(window <= model.contextLimit(), "--ppl-window " + window + " exceeds the model's context limit "
        + model.contextLimit() + "; use a smaller window");
    UserError.require(window >= 2, "the perplexity window must hold at least 2 tokens (got " + window + ")");
    window = Math.min(window, length);
    int stride = o.pplStride() > 0 ? Math.min(o.pplStride(), window) : Math.max(1, window / 2);
    return new int[] {window, window == length ? length : stride};
  }

  /** NLL of ids[1..n-1] given their prefixes, scored through windows of the given size and stride. */
  public static Nll score(EvalModel model, int[] ids, int window, int stride) {
    double sum = 0;
    int count = 0;
    int scoredUpTo = 1; // tokens [1, scoredUpTo) are done; token 0 is never predicted
    for (int begin = 0; scoredUpTo < ids.length; begin += stride) {
      int end = Math.min(begin + window, ids.length);
      if (end <= scoredUpTo) continue;
      double[] lp = model.tokenLogProbs(java.util.Arrays.copyOfRange(ids, begin, end));
      if (lp.length != end - begin - 1) {
        throw new IllegalStateException("tokenLogProbs returned " + lp.length + " values for " + (end - begin) + " tokens");
      }
      for (int t = Math.max(scoredUpTo, begin + 1); t < end; t++) {
        sum -= lp[t - begin - 1];
        count++;
      }
      scoredUpTo = end;
    }
    return new Nll(sum, count);
  }
}
