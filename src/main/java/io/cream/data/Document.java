package io.cream.data;

/**
 * One training or evaluation document: its id (the path relative to the source folder, with
 * {@code #line} appended for a line of a .jsonl file), its text, and how many of the text's
 * leading characters are a prompt. A prompt/completion document ({"prompt", "completion"} in a
 * .jsonl line) is trained on its completion only: the prompt is context, not a target. Plain
 * text has promptChars = 0 (every token is a target).
 */
public record Document(String id, String text, int promptChars) {
  public Document {
    if (promptChars < 0 || promptChars > text.length()) {
      throw new IllegalArgumentException("promptChars " + promptChars + " outside [0, " + text.length() + "]");
    }
  }

  /** A plain-text document: every token is a target. */
  public Document(String id, String text) {
    this(id, text, 0);
  }

  /** The prompt part of the text ("" for plain text). */
  public String prompt() {
    return text.substring(0, promptChars);
  }
}
