package io.cream.eval;

import io.cream.util.UserError;
import java.util.ArrayList;
import java.util.List;

/** Grids of cells shared by tasks, their defaults, and the checks that go with them. */
final class Grid {
  /** Lengths when none are given (passkey, lines, ppl): minutes on a 7B model. */
  static final List<Integer> LENGTHS = List.of(1024, 2048, 4096);
  /** Depths when none are given (passkey). */
  static final List<Double> DEPTHS = List.of(0.0, 25.0, 50.0, 75.0, 100.0);

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

  /** The options with empty lengths (and depths, when the task has them) set to the given ones. */
  static EvalOptions withDefaults(EvalOptions o, List<Integer> lengths, List<Double> depths) {
    if (o.lengths().isEmpty()) o = o.withLengths(lengths);
    if (depths != null && o.depths().isEmpty()) o = o.withDepths(depths);
    return o;
  }

  /**
   * numpy's linspace(start, stop, num).astype(int): evenly spaced, the last exactly stop, each
   * truncated toward zero (how the reference builds its needle grids).
   */
  static List<Integer> linspaceInts(double start, double stop, int num) {
    List<Integer> out = new ArrayList<>(num);
    double step = (stop - start) / (num - 1);
    for (int i = 0; i < num; i++) out.add((int) (i == num - 1 ? stop : start + i * step));
    return out;
  }

  /** A target shorter than the prompt without filler cannot be built. */
  static void requireFits(int units, int target, String task, int minimumTokens) {
    UserError.require(units >= 0, task + ": length " + target + " is shorter than the prompt without filler ("
        + minimumTokens + " tokens); use lengths of at least " + minimumTokens);
  }
}
