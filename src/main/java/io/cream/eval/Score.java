package io.cream.eval;

/**
 * A scored reply: right or wrong, plus partial credit in 0..1 and a ROUGE-L F1 where the task
 * defines them (needle).
 */
public record Score(boolean correct, Double partial, Double rougeL) {
  public static Score of(boolean correct) {
    return new Score(correct, null, null);
  }
}
