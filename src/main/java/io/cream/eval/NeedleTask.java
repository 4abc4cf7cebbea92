package io.cream.eval;

import io.cream.data.FetchSpec;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Needle in a haystack as CREAM's needle/eval.py builds it: a description line, haystack text with
 * the needle (between blank lines) placed by token position, then the question and "Answer:", the
 * whole message in the chat template (vicuna by default). The score is the ROUGE-L F1 of the
 * reply's first line against the needle; {@code correct} keeps the older containment test (the key
 * phrase anywhere in the reply) and {@code partial} the fraction of its key words.
 *
 * <p>The haystack is public-domain books (the reference's Paul Graham essays are not public
 * domain): --haystack DIR, or by default the books of 'cream fetch corpus'.
 */
public final class NeedleTask implements GenerativeTask {
  /** The reference's description line, its "infomation" spelling kept. */
  public static final String DESCRIPTION = "There is an important infomation hidden in the following context. "
      + "Find the information and memorize it. I will quiz you about the important information there.\n";
  public static final String NEEDLE =
      "The best thing to do in San Francisco is eat a sandwich and sit in Dolores Park on a sunny day.";
  public static final String QUESTION = "What is the best thing to do in San Francisco?";
  /** What follows the haystack: a blank line, the question, then "Answer:" on a line of its own. */
  public static final String QUESTION_SUFFIX = "\n\n" + QUESTION + "\nAnswer:";
  public static final String KEY_PHRASE = "eat a sandwich and sit in Dolores Park";
  /** The key phrase's content words (its "a", "and", "in" would match almost any reply). */
  public static final List<String> KEY_WORDS = List.of("eat", "sandwich", "sit", "dolores", "park");

  /** The reference's grids: linspace(1024, 32700, 10) and linspace(0, 100, 6), truncated to ints. */
  public static final List<Integer> DEFAULT_LENGTHS = Grid.linspaceInts(1024, 32700, 10);
  public static final List<Double> DEFAULT_DEPTHS =
      Grid.linspaceInts(0, 100, 6).stream().map(Integer::doubleValue).toList();

  /** How much of the haystack folder is read (then cycled): independent of the grid, so adding
   * lengths never moves a sample's starting sentence. ~2M tokens of English. */
  static final int HAYSTACK_CHARS = 8_000_000;
  /** Characters of haystack text tokenized per token of a prompt, before trying more. */
  private static final int CHARS_PER_TOKEN_BUDGET = 6;

  private Haystack haystack;
  /** Tokenized haystack of each (length, sample): the depths of a cell share it. */
  private final Map<List<Integer>, int[]> tokens = new HashMap<>();
  private final Map<Integer, Integer> hints = new HashMap<>();

  @Override
  public String name() {
    return "needle";
  }

  @Override
  public PositionAxis positionAxis() {
    return PositionAxis.DEPTH_PERCENT;
  }

  @Override
  public int defaultMaxNewTokens() {
    return 50;
  }

  @Override
  public EvalOptions withDefaults(EvalOptions o) {
    return Grid.withDefaults(o, DEFAULT_LENGTHS, DEFAULT_DEPTHS);
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    return Grid.lengthsByDepths(withDefaults(o));
  }

  /** The user message: description, haystack before the needle, needle, the rest, question. */
  public static String message(String before, String after) {
    return DESCRIPTION + before + "\n\n" + NEEDLE + "\n\n" + after + QUESTION_SUFFIX;
  }

  /** The model input: the message in the chat template. */
  public static String prompt(String before, String after, ChatTemplate template) {
    return template.wrap(message(before, after));
  }

  /**
   * Haystack tokens before the needle, as the reference computes it: descriptionTokens +
   * round((h − 1)·depth/100), at most h. (The reference measures the needle's position from the
   * start of the input but indexes the haystack with it, so at depth 0 the needle still follows
   * descriptionTokens haystack tokens; Python's round is half-to-even, as Math.rint.)
   */
  public static int needleOffset(int haystackTokens, int descriptionTokens, double depthPercent) {
    if (haystackTokens == 0) return 0;
    long at = descriptionTokens + (long) Math.rint((haystackTokens - 1) * depthPercent / 100.0);
    return (int) Math.min(haystackTokens, at);
  }

  /** The haystack of a run: the folder's text, or the books 'cream fetch corpus' put in the cache. */
  static Haystack haystack(EvalOptions o) {
    Path dir = o.haystackDir();
    if (dir == null) {
      dir = FetchSpec.corpus().defaultDir();
      UserError.require(Files.isDirectory(dir), "needle's haystack is public-domain books: run './cream fetch corpus'"
          + " (puts them in " + dir + ") or pass --haystack DIR (a folder of .txt files)");
    }
    return Haystack.fromFolder(dir, HAYSTACK_CHARS);
  }

  @Override
  public TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions o) {
    int[] hay = haystackTokens(cell.length(), sample, model, o);
    int descriptionTokens = model.encodeWithoutBos(DESCRIPTION).length;
    double depth = cell.position();
    IntFunction<String> build = h -> {
      int at = needleOffset(h, descriptionTokens, depth);
      return prompt(model.decode(Arrays.copyOf(hay, at)), model.decode(Arrays.copyOfRange(hay, at, h)), o.chatTemplate());
    };
    int h = LengthFitter.largestFitting(
        k -> model.encode(build.apply(k)).length, cell.length(), hay.length, hints.getOrDefault(cell.length(), -1));
    Grid.requireFits(h, cell.length(), name(), model.encode(build.apply(0)).length);
    hints.put(cell.length(), h);
    String text = build.apply(h);
    return new TaskPrompt(text, model.encode(text), NEEDLE, h, null, null);
  }

  /**
   * The haystack tokens a sample reads: sample 0 from the start of the text, later samples from a
   * seeded sentence, at least as many tokens as the length (the text cycles when it is short).
   */
  private int[] haystackTokens(int length, int sample, EvalModel model, EvalOptions o) {
    return tokens.computeIfAbsent(List.of(length, sample), k -> {
      if (haystack == null) haystack = haystack(o);
      int offset = sample == 0 ? 0 : CaseRandom.of(o.seed(), name(), length, sample).nextInt(haystack.size());
      Haystack shifted = haystack.from(offset);
      long chars = (long) length * CHARS_PER_TOKEN_BUDGET + 1000;
      while (true) {
        int[] ids = model.encodeWithoutBos(shifted.textOfAtLeast((int) Math.min(Integer.MAX_VALUE - 16, chars)));
        if (ids.length >= length || chars >= Integer.MAX_VALUE - 16) return ids;
        chars *= 2;
      }
    });
  }

  @Override
  public Score score(String reply, TaskPrompt prompt) {
    String firstLine = reply.split("\n", -1)[0];
    return new Score(Answers.containsPhrase(reply, KEY_PHRASE), Answers.fractionOfWords(reply, KEY_WORDS),
        RougeL.f1(firstLine, NEEDLE));
  }
}
