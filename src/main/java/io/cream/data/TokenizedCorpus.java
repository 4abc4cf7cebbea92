package io.cream.data;

import java.util.List;

/**
 * Token ids of a sequence of documents, random access by document. The big implementation is a
 * memory-mapped {@link TokenCache} file; {@link #of} wraps arrays (tests, small data).
 * Implementations are safe to read from many threads.
 */
public interface TokenizedCorpus extends AutoCloseable {
  int documentCount();

  /** Number of tokens of document {@code doc}. */
  int length(int doc);

  /**
   * The token spans of document {@code doc} that are training targets, as increasing pairs
   * [start₀, end₀, start₁, end₁, ...]; empty for plain text, where every token is a target (see
   * {@link Document}). A prompt/completion document has one span, a conversation one per
   * assistant turn.
   */
  default int[] targetSpans(int doc) {
    return new int[0];
  }

  /** Whether the document has target spans (a prompt/completion document or a conversation). */
  default boolean masked(int doc) {
    return targetSpans(doc).length > 0;
  }

  /**
   * How many leading tokens of document {@code doc} are context before its first target (0 for
   * plain text).
   */
  default int promptLength(int doc) {
    int[] spans = targetSpans(doc);
    return spans.length == 0 ? 0 : spans[0];
  }

  /** Whether token {@code token} lies in one of the spans (as {@link #targetSpans} gives them). */
  static boolean inSpans(int[] spans, int token) {
    for (int i = 0; i < spans.length; i += 2) {
      if (token < spans[i]) return false;
      if (token < spans[i + 1]) return true;
    }
    return false;
  }

  /** Copies tokens [from, from+len) of document {@code doc} into dst[dstOff ...]. */
  void copy(int doc, int from, int[] dst, int dstOff, int len);

  /** All tokens of document {@code doc}. */
  default int[] tokens(int doc) {
    int[] t = new int[length(doc)];
    copy(doc, 0, t, 0, t.length);
    return t;
  }

  /** Where document {@code doc} starts in the concatenation of all documents. */
  long start(int doc);

  /** Sum of all documents' lengths. */
  default long totalTokens() {
    int n = documentCount();
    return n == 0 ? 0 : start(n - 1) + length(n - 1);
  }

  /** The document's id as given by its {@link DocumentSource}. */
  String id(int doc);

  /** Releases the mapping; reads after close fail with IllegalStateException. */
  @Override
  void close();

  /** A corpus over arrays held in memory (copied). */
  static TokenizedCorpus of(List<String> ids, List<int[]> documents) {
    return of(ids, documents, new int[documents.size()]);
  }

  /** A corpus over arrays whose documents start with promptLengths[i] prompt tokens. */
  static TokenizedCorpus of(List<String> ids, List<int[]> documents, int[] promptLengths) {
    List<int[]> spans = new java.util.ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      spans.add(promptLengths[i] == 0 ? new int[0] : new int[] {promptLengths[i], documents.get(i).length});
    }
    return new ArrayCorpus(ids, documents, spans);
  }

  /** A corpus over arrays with each document's target spans (see {@link #targetSpans}). */
  static TokenizedCorpus withSpans(List<String> ids, List<int[]> documents, List<int[]> targetSpans) {
    return new ArrayCorpus(ids, documents, targetSpans);
  }
}
