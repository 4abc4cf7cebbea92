package io.cream.eval;

import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.List;

/** Grids of cells shared by tasks, and the checks that go with them. */
final class Grid {
  private Grid() {}

  static List<Cell> lengthsByDepths(EvalOptions o) {
    UserError.require(!o.lengths().isEmpty(), "no lengths given; pass --lengths, e.g. 1024,2048,4096");
    UserError.require(!o.depths().isEmpty(), "no depths given; pass --depths, e.g. 0,25,50,75,100");
    List<Cell> cells = new ArrayList<>();
    for (int length : o.lengths()) for (double depth : o.depths()) cells.add(new Cell(length, depth));
    return cells;
  }

  static List<Cell> lengthsOnly(EvalOptions o) {
    UserError.require(!o.lengths().isEmpty(), "no lengths given; pass --lengths, e.g. 1024,2048,4096");
    return o.lengths().stream().map(l -> new Cell(l, null)).toList();
  }

  /** A target shorter than the prompt without any filler cannot be built. */
  static void requireFits(int units, int target, String task, int minimumTokens) {
    UserError.require(units >= 0, task + ": length " + target + " is shorter than the prompt without filler ("
        + minimumTokens + " tokens); use lengths of at least " + minimumTokens);
  }
}
