package io.cream.serve;

import io.cream.io.TextTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The completion's text as tokens arrive, cut at the first stop string, handed out in pieces that
 * are final: a piece never ends in a half-decoded character (U+FFFD while the next byte tokens may
 * complete it) or in what may be the start of a stop string. Decoding starts from the prompt's last
 * token and drops its text, because SentencePiece-style decoders strip the leading space of a
 * sequence (as `cream generate` does).
 */
final class TextStream {
  private final TextTokenizer tok;
  private final List<String> stops;
  private final List<Integer> ids = new ArrayList<>();
  private final int prefixLength;
  private String text = "";
  private int emitted;
  private boolean stopped;

  TextStream(TextTokenizer tok, int[] prompt, List<String> stops) {
    this.tok = tok;
    this.stops = stops;
    if (prompt.length > 0 && prompt[prompt.length - 1] != tok.bosId()) ids.add(prompt[prompt.length - 1]);
    this.prefixLength = decoded().length();
  }

  /** Adds a generated token; returns the new final text (maybe ""). */
  String add(int token) {
    if (stopped) return "";
    ids.add(token);
    text = decoded().substring(prefixLength);
    int stopAt = firstStop();
    if (stopAt >= 0) {
      text = text.substring(0, stopAt);
      stopped = true;
      return take(text.length());
    }
    int end = text.length();
    while (end > emitted && text.charAt(end - 1) == '\uFFFD') end--;
    end -= heldForStop(text.substring(0, end));
    return take(Math.max(end, emitted));
  }

  /** Whether a stop string appeared (the text ends before it). */
  boolean stopped() {
    return stopped;
  }

  /** What is left when generation ends: the text held back, now final. */
  String finish() {
    return take(text.length());
  }

  /** The whole completion so far. */
  String text() {
    return text;
  }

  private String take(int end) {
    String piece = text.substring(emitted, end);
    emitted = end;
    return piece;
  }

  private int firstStop() {
    int best = -1;
    for (String s : stops) {
      int at = text.indexOf(s, Math.max(0, emitted - s.length() + 1));
      if (at >= 0 && (best < 0 || at < best)) best = at;
    }
    return best;
  }

  /** Length of the longest end of the text that is the start of a stop string. */
  private int heldForStop(String t) {
    int held = 0;
    for (String s : stops) {
      for (int k = Math.min(s.length() - 1, t.length()); k > held; k--) {
        if (t.endsWith(s.substring(0, k))) {
          held = k;
          break;
        }
      }
    }
    return held;
  }

  private String decoded() {
    return tok.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
  }
}
