package io.cream.eval;

import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Token-weighted perplexity at a list of lengths, by one of three protocols ({@link PplProtocol}):
 * by default CREAM's eval_ppl.py — the first {@code samples} documents (sorted file order) that
 * have at least the longest length, the same ones at every length, BOS plus their first L − 1
 * tokens scored in one forward pass; Σ NLL over predicted tokens / their count, exponentiated.
 */
public final class PerplexityTask implements EvalTask {
  /** A tokenized document (its first tokens only, as many as the longest length needs). */
  public record Document(String name, int[] ids) {}

  /** Characters read per token of the longest length before trying more (English is ~4-5). */
  private static final int CHARS_PER_TOKEN_BUDGET = 8;
  /** The reference's long-document stride is 4096 for a 32768-token window: an eighth. */
  private static final int LONG_STRIDE_FRACTION = 8;

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
    UserError.require(longEnough > 0 || !o.pplProtocol().sameDocumentsAtEveryLength(), "ppl: no document in "
        + o.dataDir() + " has " + longest + " tokens (the longest length), which --ppl-protocol " + o.pplProtocol().id()
        + " needs; add longer documents, lower --lengths, or use --ppl-protocol strided");
    documents = List.copyOf(docs);
    return documents;
  }

  /**
   * The documents a length uses: the first {@code samples} that have the longest length
   * (reference, long), or that have this length (strided).
   */
  public List<Document> documentsFor(int length, EvalModel model, EvalOptions o) {
    int needed = o.pplProtocol().sameDocumentsAtEveryLength() ? Collections.max(o.lengths()) : length;
    return documents(model, o).stream().filter(d -> d.ids().length >= needed).limit(o.samples()).toList();
  }

  /** Scores the first {@code length} tokens of a document (BOS first) by the run's protocol. */
  public static PerplexityScoring.Nll score(Document doc, int length, EvalModel model, EvalOptions o) {
    int[] ids = Arrays.copyOf(doc.ids(), length);
    return switch (o.pplProtocol()) {
      case REFERENCE -> PerplexityScoring.onePass(model, ids);
      case LONG -> {
        int[] prefix = model.encode("");
        int[] window = windowFor(length, model, o);
        yield PerplexityScoring.slidingMean(model, prefix, Arrays.copyOfRange(ids, prefix.length, ids.length),
            window[0], window[1]);
      }
      case STRIDED -> {
        int[] window = windowFor(length, model, o);
        yield PerplexityScoring.strided(model, ids, window[0], window[1]);
      }
    };
  }

  /**
   * Checks a length against the protocol and the model, and returns {window, stride}: (length,
   * length) for reference; for long the given window or the model's context limit, stride given or
   * an eighth of it (the reference's 4096 of 32768); for strided the given window or, beyond the
   * context limit, the limit, stride given or half the window.
   */
  public static int[] windowFor(int length, EvalModel model, EvalOptions o) {
    int limit = model.contextLimit();
    return switch (o.pplProtocol()) {
      case REFERENCE -> {
        UserError.require(length <= limit, "ppl: length " + length + " exceeds the model's context limit " + limit
            + " and --ppl-protocol reference reads it in one pass; lower --lengths or use --ppl-protocol long");
        yield new int[] {length, length};
      }
      case LONG -> {
        UserError.require(o.pplWindow() > 0 || limit < Integer.MAX_VALUE,
            "--ppl-protocol long needs a window: pass --ppl-window W (the reference slides 32768 tokens by 4096) or --max-context");
        int window = o.pplWindow() > 0 ? o.pplWindow() : limit;
        requireWindow(window, limit);
        yield new int[] {window, o.pplStride() > 0 ? o.pplStride() : Math.max(1, window / LONG_STRIDE_FRACTION)};
      }
      case STRIDED -> {
        int window = o.pplWindow() > 0 ? o.pplWindow() : (length > limit ? limit : length);
        requireWindow(window, limit);
        window = Math.min(window, length);
        int stride = o.pplStride() > 0 ? Math.min(o.pplStride(), window) : Math.max(1, window / 2);
        yield new int[] {window, window == length ? length : stride};
      }
    };
  }

  private static void requireWindow(int window, int limit) {
    UserError.require(window <= limit, "--ppl-window " + window + " exceeds the model's context limit " + limit
        + "; use a smaller window");
    UserError.require(window >= 2, "the perplexity window must hold at least 2 tokens (got " + window + ")");
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
        return Arrays.copyOf(ids, Math.min(ids.length, want));
      }
      chars *= 2;
    }
  }
}
