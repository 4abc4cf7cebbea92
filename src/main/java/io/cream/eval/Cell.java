package io.cream.eval;

/**
 * One point of a task's grid: a length (tokens, or keys for kv) and an optional position (depth in
 * percent for passkey/needle, gold index for kv, null for lines and ppl).
 */
public record Cell(int length, Double position) {
  public String describe(EvalTask task) {
    String pos = position == null ? "" : " " + task.positionAxis().label() + "=" + Numbers.compact(position);
    return task.lengthUnit() + "=" + length + pos;
  }
}
