package io.cream.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Filler text cut into sentence units, so a needle can go between sentences and a prompt can be
 * grown one sentence at a time. Units repeat cyclically when more are asked for than the text
 * holds. Each unit keeps the whitespace that followed it, so joining units rebuilds the text.
 */
public final class Haystack {
  /** The passkey filler: the five sentences of PoSE's filler string, which it repeats. */
  public static final List<String> FILLER_SENTENCES = List.of(
      "The grass is green.", "The sky is blue.", "The sun is yellow.", "Here we go.", "There and back again.");
  /** PoSE's filler string: the five sentences, single spaces between them, none after. */
  public static final String FILLER = String.join(" ", FILLER_SENTENCES);

  /** Sentence end: terminal punctuation, closing quotes or brackets, then whitespace. */
  private static final Pattern SENTENCE_END = Pattern.compile("[.!?][\"'\u201d\u2019)\\]]*\\s+");
  /** Units longer than this (text without punctuation) are cut at whitespace. */
  private static final int MAX_UNIT_CHARS = 400;

  private final List<String> units;

  private Haystack(List<String> units) {
    if (units.isEmpty()) throw new IllegalArgumentException("empty haystack");
    this.units = List.copyOf(units);
  }

  /**
   * The passkey filler as PoSE writes it, its string repeated without separators ("...There and
   * back again.The grass is green..."), cut into sentences so it can grow one at a time: the first
   * n units are the string repeated n/5 times when n is a multiple of 5.
   */
  public static Haystack filler() {
    List<String> units = new ArrayList<>();
    for (int i = 0; i < FILLER_SENTENCES.size(); i++) {
      units.add(FILLER_SENTENCES.get(i) + (i < FILLER_SENTENCES.size() - 1 ? " " : ""));
    }
    return new Haystack(units);
  }

  /** Text files of a folder, sorted, joined by blank lines, up to maxChars characters. */
  public static Haystack fromFolder(Path dir, int maxChars) {
    StringBuilder text = new StringBuilder();
    for (Path file : TextFiles.list(dir, "the needle haystack")) {
      if (text.length() >= maxChars) break;
      if (!text.isEmpty()) text.append("\n\n");
      text.append(TextFiles.read(file, maxChars - text.length()).strip());
    }
    io.cream.util.UserError.require(!text.toString().isBlank(), "the haystack files in " + dir + " are empty; add some text");
    return fromText(text.toString());
  }

  /** Cuts text into sentence units. */
  public static Haystack fromText(String text) {
    List<String> units = new ArrayList<>();
    Matcher m = SENTENCE_END.matcher(text);
    int start = 0;
    while (m.find()) {
      addUnit(units, text.substring(start, m.end()));
      start = m.end();
    }
    if (start < text.length()) addUnit(units, text.substring(start) + " ");
    return new Haystack(units);
  }

  private static void addUnit(List<String> units, String unit) {
    while (unit.length() > MAX_UNIT_CHARS) {
      int cut = unit.lastIndexOf(' ', MAX_UNIT_CHARS);
      if (cut <= 0) cut = MAX_UNIT_CHARS - 1;
      units.add(unit.substring(0, cut + 1));
      unit = unit.substring(cut + 1);
    }
    if (!unit.isBlank()) units.add(unit);
  }

  /** The same text read from unit offset on (cyclically). */
  public Haystack from(int offset) {
    int k = Math.floorMod(offset, units.size());
    if (k == 0) return this;
    List<String> rotated = new ArrayList<>(units.subList(k, units.size()));
    rotated.addAll(units.subList(0, k));
    return new Haystack(rotated);
  }

  /** Unit i, cycling through the text. */
  public String unit(int i) {
    return units.get(i % units.size());
  }

  /** Distinct units before the text repeats. */
  public int size() {
    return units.size();
  }

  /** The first units joined, cycling, until the text has at least minChars characters. */
  public String textOfAtLeast(int minChars) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < minChars; i++) sb.append(unit(i));
    return sb.toString();
  }

  /** Units [from, to) joined, without trailing whitespace. */
  public String join(int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < to; i++) sb.append(unit(i));
    return sb.toString().stripTrailing();
  }

  /** Where a needle at depthPercent goes among n units: after this many units. */
  public static int insertionPoint(int n, double depthPercent) {
    return (int) Math.round(n * depthPercent / 100.0);
  }
}
