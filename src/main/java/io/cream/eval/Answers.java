package io.cream.eval;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading answers out of model replies. */
public final class Answers {
  private static final Pattern INTEGER = Pattern.compile("\\d+");
  private static final Pattern WORD = Pattern.compile("[a-z0-9]+");

  private Answers() {}

  /** The first run of digits in the reply (leading zeros kept), or null. */
  public static String firstInteger(String reply) {
    Matcher m = INTEGER.matcher(reply);
    return m.find() ? m.group() : null;
  }

  /**
   * Whether the first integer of the reply has the expected value. Compared as numbers, as the
   * reference scripts do (int(...) == key), so "007" answers 7.
   */
  public static boolean firstIntegerIs(String reply, String expectedDigits) {
    String found = firstInteger(reply);
    return found != null && new BigInteger(found).equals(new BigInteger(expectedDigits));
  }

  /**
   * The share of the expected number's digits that the reply's first integer begins with, leading
   * zeros set aside: 1 for "608" or "6088888" against 608 (the key found, whether or not the number
   * ends there), 0.4 for "21" against 21000, 0 when the first digit is wrong or there is no integer.
   */
  public static double leadingDigitsMatched(String reply, String expectedDigits) {
    String found = firstInteger(reply);
    String want = withoutLeadingZeros(expectedDigits);
    if (found == null) return 0;
    found = withoutLeadingZeros(found);
    int same = 0;
    while (same < Math.min(found.length(), want.length()) && found.charAt(same) == want.charAt(same)) same++;
    return same / (double) want.length();
  }

  private static String withoutLeadingZeros(String digits) {
    String s = digits.replaceFirst("^0+", "");
    return s.isEmpty() ? "0" : s;
  }

  /** Lower-case with every run of whitespace turned into one space, trimmed. */
  public static String normalise(String text) {
    return text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
  }

  /** Whether the phrase occurs in the text, ignoring case and differences in whitespace. */
  public static boolean containsPhrase(String text, String phrase) {
    return normalise(text).contains(normalise(phrase));
  }

  /** Fraction of the words that occur as whole words in the text (case-insensitive). */
  public static double fractionOfWords(String text, List<String> words) {
    List<String> present = WORD.matcher(text.toLowerCase(Locale.ROOT)).results().map(java.util.regex.MatchResult::group).toList();
    long hits = words.stream().filter(w -> present.contains(w.toLowerCase(Locale.ROOT))).count();
    return words.isEmpty() ? 0 : hits / (double) words.size();
  }

  /** Lower-case words of a phrase. */
  public static List<String> words(String phrase) {
    return Arrays.stream(phrase.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")).filter(w -> !w.isEmpty()).toList();
  }
}
