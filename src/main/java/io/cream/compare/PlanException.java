package io.cream.compare;

import java.util.List;

/** A plan with mistakes: one line per mistake, each naming the file and the field. */
public final class PlanException extends RuntimeException {
  private final List<String> problems;

  PlanException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** One line per mistake, e.g. "plan.json: runs[1].method: 'cram' is not one of cream, ...". */
  public List<String> problems() {
    return problems;
  }
}
