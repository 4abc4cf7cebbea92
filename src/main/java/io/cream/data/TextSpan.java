package io.cream.data;

/** Characters [start, end) of a document's text: a part trained on (see {@link Document}). */
public record TextSpan(int start, int end) {
  public TextSpan {
    if (start < 0 || end < start) throw new IllegalArgumentException("span [" + start + ", " + end + ")");
  }
}
