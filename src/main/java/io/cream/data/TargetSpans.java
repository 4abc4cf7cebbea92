package io.cream.data;

import io.cream.util.UserError;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Token spans from a document's character spans ({@link Document#targets}), and their checks.
 * A character offset maps to the number of leading tokens the text before it shares with the
 * whole text's tokens (the longest common prefix of the two encodings): a token that merges
 * across a span's start counts as a target, one that merges across its end does not.
 */
final class TargetSpans {
  private TargetSpans() {}

  /** The document's target token spans as pairs; empty for plain text. */
  static int[] of(Document d, int[] tokens, Function<String, int[]> encoder) {
    List<TextSpan> chars = d.targets();
    if (chars.isEmpty()) return new int[0];
    int[] out = new int[2 * chars.size()];
    int n = 0;
    for (TextSpan s : chars) {
      int start = boundary(d.text(), s.start(), tokens, encoder);
      int end = s.end() == d.text().length() ? tokens.length : boundary(d.text(), s.end(), tokens, encoder);
      if (n > 0 && start < out[n - 1]) start = out[n - 1];
      if (end <= start) continue; // e.g. an empty assistant turn
      out[n++] = start;
      out[n++] = end;
    }
    if (d.templated()) {
      if (n == 0) throw new UserError(d.id() + ": the conversation has no assistant tokens to train on");
      return Arrays.copyOf(out, n);
    }
    // A prompt/completion document: a completion keeps at least its last token as a target, and
    // one whose prompt tokenizes to nothing is plain text.
    if (n == 0) return tokens.length == 0 ? new int[0] : new int[] {tokens.length - 1, tokens.length};
    return out[0] == 0 ? new int[0] : Arrays.copyOf(out, n);
  }

  private static int boundary(String text, int chars, int[] tokens, Function<String, int[]> encoder) {
    if (chars == 0) return 0;
    int[] prefix = encoder.apply(text.substring(0, chars));
    int common = 0;
    while (common < prefix.length && common < tokens.length && prefix[common] == tokens[common]) common++;
    return common;
  }

  /** Throws unless spans are increasing, non-empty pairs within [0, length]. */
  static void check(int[] spans, int length, String what) {
    if (spans.length % 2 != 0) throw new IllegalArgumentException(what + ": odd number of span bounds");
    int at = 0;
    for (int i = 0; i < spans.length; i += 2) {
      if (spans[i] < at || spans[i + 1] <= spans[i] || spans[i + 1] > length) {
        throw new IllegalArgumentException(what + ": target span [" + spans[i] + ", " + spans[i + 1]
            + ") out of order or outside its " + length + " tokens");
      }
      at = spans[i + 1];
    }
  }
}
