package io.cream.eval;

/** A scored reply: right or wrong, plus partial credit in 0..1 where the task defines it. */
public record Score(boolean correct, Double partial) {
  public static Score of(boolean correct) {
    return new Score(correct, null);
  }
}
