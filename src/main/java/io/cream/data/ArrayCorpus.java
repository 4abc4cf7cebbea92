package io.cream.data;

import java.util.List;
import java.util.Objects;

/** A {@link TokenizedCorpus} held in Java arrays. */
final class ArrayCorpus implements TokenizedCorpus {
  private final String[] ids;
  private final int[][] docs;
  private final long[] starts;
  private final int[][] spans;

  ArrayCorpus(List<String> ids, List<int[]> documents, List<int[]> targetSpans) {
    if (ids.size() != documents.size() || targetSpans.size() != documents.size()) {
      throw new IllegalArgumentException(ids.size() + " ids and " + targetSpans.size()
          + " span lists for " + documents.size() + " documents");
    }
    this.ids = ids.toArray(String[]::new);
    this.docs = documents.stream().map(d -> Objects.requireNonNull(d).clone()).toArray(int[][]::new);
    this.spans = targetSpans.stream().map(int[]::clone).toArray(int[][]::new);
    for (int i = 0; i < docs.length; i++) TargetSpans.check(spans[i], docs[i].length, "document " + i);
    this.starts = new long[docs.length];
    long s = 0;
    for (int i = 0; i < docs.length; i++) {
      starts[i] = s;
      s += docs[i].length;
    }
  }

  @Override
  public int documentCount() {
    return docs.length;
  }

  @Override
  public int length(int doc) {
    return docs[doc].length;
  }

  @Override
  public int[] targetSpans(int doc) {
    return spans[doc].clone();
  }

  @Override
  public void copy(int doc, int from, int[] dst, int dstOff, int len) {
    System.arraycopy(docs[doc], from, dst, dstOff, len);
  }

  @Override
  public long start(int doc) {
    return starts[doc];
  }

  @Override
  public String id(int doc) {
    return ids[doc];
  }

  @Override
  public void close() {}
}
