package io.cream.eval;

import java.util.List;
import java.util.Locale;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * ROUGE-L F1 of a candidate against a reference: the longest common subsequence of their words
 * (lower-cased runs of letters and digits), precision = LCS / candidate words, recall = LCS /
 * reference words, F1 their harmonic mean. The needle task's score, as in CREAM's needle
 * evaluation (which calls the Python `rouge` package: whitespace words, so its numbers can differ
 * where punctuation sticks to a word).
 */
public final class RougeL {
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+");

  private RougeL() {}

  public static double f1(String candidate, String reference) {
    List<String> c = words(candidate);
    List<String> r = words(reference);
    int lcs = lcs(c, r);
    if (lcs == 0) return 0;
    double precision = lcs / (double) c.size();
    double recall = lcs / (double) r.size();
    return 2 * precision * recall / (precision + recall);
  }

  /** Lower-cased words: runs of letters and digits. */
  public static List<String> words(String text) {
    return WORD.matcher(text.toLowerCase(Locale.ROOT)).results().map(MatchResult::group).toList();
  }

  /** Length of the longest common subsequence, two rows of the usual table. */
  static int lcs(List<String> a, List<String> b) {
    int[] prev = new int[b.size() + 1];
    int[] row = new int[b.size() + 1];
    for (String x : a) {
      for (int j = 1; j <= b.size(); j++) {
        row[j] = x.equals(b.get(j - 1)) ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
      }
      int[] t = prev;
      prev = row;
      row = t;
    }
    return prev[b.size()];
  }
}
