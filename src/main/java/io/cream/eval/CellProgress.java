package io.cream.eval;

import java.io.PrintStream;
import java.util.List;

/**
 * One stderr line per finished cell: where the run is, the cell's score and rate, and an ETA
 * that weighs the cells left by their length (longer prompts take longer).
 */
final class CellProgress {
  private final PrintStream out;
  private final EvalTask task;
  private final List<Cell> cells;
  private final double totalWork;
  private final long start = System.nanoTime();
  private double doneWork;
  private int done;

  CellProgress(PrintStream out, EvalTask task, List<Cell> cells) {
    this.out = out;
    this.task = task;
    this.cells = cells;
    this.totalWork = cells.stream().mapToDouble(c -> c.length()).sum();
  }

  void cellDone(Cell cell, CellSummary s) {
    done++;
    doneWork += cell.length();
    double elapsed = (System.nanoTime() - start) / 1e9;
    double eta = doneWork > 0 ? elapsed * (totalWork - doneWork) / doneWork : 0;
    String score = s.perplexity() != null
        ? "ppl " + Numbers.fixed(s.perplexity(), 3) + " over " + s.n() + " docs"
        : s.accuracy() != null
            ? "acc " + Numbers.fixed(s.accuracy(), 2) + " (" + Math.round(s.accuracy() * s.n()) + "/" + s.n() + ")"
            : "no samples";
    out.printf("[%s] %d/%d %s: %s, %s, %.0f tok/s, elapsed %s, ETA %s%n",
        task.name(), done, cells.size(), cell.describe(task), score, Numbers.duration(s.seconds()),
        s.tokensPerSecond(), Numbers.duration(elapsed), Numbers.duration(eta));
    out.flush();
  }
}
