package io.cream.data;

import java.util.List;
import java.util.Objects;

/** A {@link TokenizedCorpus} held in Java arrays. */
final class ArrayCorpus implements TokenizedCorpus {
  private final String[] ids;
  private final int[][] docs;
  private final long[] starts;
  private final int[] prompts;

  ArrayCorpus(List<String> ids, List<int[]> documents, int[] promptLengths) {
    if (ids.size() != documents.size() || promptLengths.length != documents.size()) {
      throw new IllegalArgumentException(ids.size() + " ids and " + promptLengths.length
          + " prompt lengths for " + documents.size() + " documents");
    }
    this.ids = ids.toArray(String[]::new);
    this.docs = documents.stream().map(d -> Objects.requireNonNull(d).clone()).toArray(int[][]::new);
    this.prompts = promptLengths.clone();
    for (int i = 0; i < docs.length; i++) {
      if (prompts[i] < 0 || prompts[i] > docs[i].length) {
        throw new IllegalArgumentException("prompt of " + prompts[i] + " tokens in document " + i
            + " of " + docs[i].length);
      }
    }
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
  public int promptLength(int doc) {
    return prompts[doc];
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
