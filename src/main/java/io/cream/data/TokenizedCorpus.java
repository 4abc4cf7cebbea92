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
   * How many leading tokens of document {@code doc} are a prompt: context that is never a
   * training target (0 for plain text; see {@link Document}).
   */
  default int promptLength(int doc) {
    return 0;
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
    return new ArrayCorpus(ids, documents, new int[documents.size()]);
  }

  /** A corpus over arrays whose documents start with promptLengths[i] prompt tokens. */
  static TokenizedCorpus of(List<String> ids, List<int[]> documents, int[] promptLengths) {
    return new ArrayCorpus(ids, documents, promptLengths);
  }
}
