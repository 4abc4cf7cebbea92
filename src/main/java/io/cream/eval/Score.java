package io.cream.eval;

/**
 * A scored reply: right or wrong, plus partial credit in 0..1 (needle, passkey) and a ROUGE-L F1
 * (needle) where the task defines them.
 */
public record Score(boolean correct, Double partial, Double rougeL) {
  public static Score of(boolean correct) {
    return new Score(correct, null, null);
  }
}
