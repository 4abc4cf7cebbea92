package io.cream.data;

import java.util.List;

/**
 * One training or evaluation document: its id (the path relative to the source folder, with
 * {@code #line} appended for a line of a .jsonl file), its text, and which parts of the text are
 * training targets. Plain text has no target spans: every token is a target. A prompt/completion
 * document ({"prompt", "completion"} in a .jsonl line) has one span, the completion: the prompt is
 * context, not a target. A conversation rendered by the model's chat template has one span per
 * assistant turn, and is {@code templated}: its text already holds the special tokens the
 * template wrote (BOS among them), so it is tokenized as is, without the BOS/EOS a tokenizer
 * adds to plain text.
 */
public record Document(String id, String text, List<TextSpan> targets, boolean templated) {
  public Document {
    targets = List.copyOf(targets);
    int at = 0;
    for (TextSpan s : targets) {
      if (s.start() < at || s.end() > text.length()) {
        throw new IllegalArgumentException("target spans " + targets + " out of order or outside [0, " + text.length() + "]");
      }
      at = s.end();
    }
  }

  /** A plain-text document: every token is a target. */
  public Document(String id, String text) {
    this(id, text, List.of(), false);
  }

  /** A document whose first promptChars characters are a prompt (0: plain text). */
  public Document(String id, String text, int promptChars) {
    this(id, text, promptChars == 0 ? List.of() : List.of(new TextSpan(promptChars, text.length())), false);
  }

  /** How many leading characters are context before the first target (0 for plain text). */
  public int promptChars() {
    return targets.isEmpty() ? 0 : targets.getFirst().start();
  }

  /** The part of the text before the first target ("" for plain text). */
  public String prompt() {
    return text.substring(0, promptChars());
  }
}
