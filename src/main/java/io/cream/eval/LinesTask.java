package io.cream.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * LongChat-Lines: numbered "registers" on named lines, one asked for at the end, the whole message
 * wrapped in the chat template (vicuna by default, as CREAM's reference evaluation does for every
 * model). Lines are added until the model input is as long as possible within the target length
 * (the dataset's fixed line counts assume Llama's tokenizer); the asked line is drawn uniformly.
 * At least 5 and at most 35 new tokens. Correct when the first integer of the reply is the line's
 * value.
 */
public final class LinesTask implements GenerativeTask {
  public static final String HEADER = "Below is a record of lines I want you to remember. Each line begins with "
      + "'line <line index>' and contains a '<REGISTER_CONTENT>' at the end of the line as a numerical value. "
      + "For each line index, memorize its corresponding <REGISTER_CONTENT>. At the end of the record, I will "
      + "ask you to retrieve the corresponding <REGISTER_CONTENT> of a certain line index. Now the record start:\n\n";
  public static final int MAX_VALUE = 50_000;

  /** One line of the record. */
  public record Line(String name, int value) {
    public String render() {
      return "line " + name + ": REGISTER_CONTENT is <" + value + ">\n";
    }
  }

  private final Map<Integer, Integer> hints = new HashMap<>();

  @Override
  public String name() {
    return "lines";
  }

  @Override
  public PositionAxis positionAxis() {
    return PositionAxis.NONE;
  }

  @Override
  public int defaultMaxNewTokens() {
    return 35;
  }

  @Override
  public int defaultMinNewTokens() {
    return 5;
  }

  @Override
  public List<Cell> cells(EvalOptions o) {
    return Grid.lengthsOnly(withDefaults(o));
  }

  public static String question(String name) {
    return "\nNow the record is over. Tell me what is the <REGISTER_CONTENT> in line " + name + "? I need the number.";
  }

  /** The user message: header, the first n lines, then the question about line asked. */
  public static String message(List<Line> lines, int n, int asked) {
    StringBuilder sb = new StringBuilder(HEADER);
    for (int i = 0; i < n; i++) sb.append(lines.get(i).render());
    return sb.append(question(lines.get(asked).name())).toString();
  }

  /** The model input: the message in the chat template. */
  public static String prompt(List<Line> lines, int n, int asked, ChatTemplate template) {
    return template.wrap(message(lines, n, asked));
  }

  /** All lines a prompt may draw from: distinct names, values in 1..50000. */
  public static List<Line> candidates(SplittableRandom rng) {
    List<String> names = LineNames.shuffled(rng);
    List<Line> lines = new ArrayList<>(names.size());
    for (String name : names) lines.add(new Line(name, 1 + rng.nextInt(MAX_VALUE)));
    return lines;
  }

  @Override
  public TaskPrompt prompt(Cell cell, int sample, EvalModel model, EvalOptions o) {
    List<Line> lines = candidates(CaseRandom.of(o.seed(), name(), cell.length(), sample));
    // While fitting, ask about line 0: every candidate question has the same shape, and the
    // final prompt is re-checked below with the real question.
    int max = Math.min(cell.length(), lines.size());
    ChatTemplate t = o.chatTemplate();
    int n = LengthFitter.largestFitting(
        k -> model.encode(prompt(lines, k, 0, t)).length, cell.length(), max, hints.getOrDefault(cell.length(), -1));
    Grid.requireFits(n - 1, cell.length(), name(), model.encode(prompt(lines, 1, 0, t)).length);
    int asked = CaseRandom.of(o.seed(), name() + "/asked", cell.length(), sample).nextInt(n);
    // A longer asked name can push the prompt over; drop lines (keeping the asked one) until it fits.
    while (n > asked + 1 && model.encode(prompt(lines, n, asked, t)).length > cell.length()) n--;
    hints.put(cell.length(), n);
    String text = prompt(lines, n, asked, t);
    Line line = lines.get(asked);
    return new TaskPrompt(text, model.encode(text), Integer.toString(line.value()), n, line.name(), asked);
  }

  @Override
  public Score score(String reply, TaskPrompt prompt) {
    return Score.of(Answers.firstIntegerIs(reply, prompt.expected()));
  }
}
