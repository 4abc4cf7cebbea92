package io.cream.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Adjective-noun line names for LongChat-Lines ("happy-apple"), from the project's own word lists
 * (resources adjectives.txt and nouns.txt).
 */
public final class LineNames {
  public static final List<String> ADJECTIVES = load("adjectives.txt");
  public static final List<String> NOUNS = load("nouns.txt");

  private LineNames() {}

  /** How many distinct names exist. */
  public static int capacity() {
    return ADJECTIVES.size() * NOUNS.size();
  }

  /**
   * All names in a random order (a seeded shuffle): the first n are n distinct names, and a prompt
   * with more lines extends, not reshuffles, a shorter one.
   */
  public static List<String> shuffled(SplittableRandom rng) {
    int n = capacity();
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    List<String> names = new ArrayList<>(n);
    for (int k : order) names.add(ADJECTIVES.get(k / NOUNS.size()) + "-" + NOUNS.get(k % NOUNS.size()));
    return names;
  }

  private static List<String> load(String resource) {
    try (InputStream in = LineNames.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing resource io/cream/eval/" + resource);
      List<String> words = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          String w = line.strip();
          if (!w.isEmpty() && !w.startsWith("#")) words.add(w);
        }
      }
      return List.copyOf(words);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
