package io.cream.compare;

import io.cream.eval.Numbers;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Works through the units of a plan together with any other processes that share the output
 * folder. Each pass takes the first unit that is not done, whose fine-tune (for an evaluation) is
 * done, and that nobody else holds; claims it; checks again that it is not done (another process
 * may have finished it a moment ago); runs it; releases it. When every unit left is held by others
 * or waits for a fine-tune held by others, it sleeps {@code poll} and looks again. It returns when
 * every unit is done.
 */
public final class Scheduler {
  /** What the units are and how they are done; the scheduler only orders and claims them. */
  public interface Work {
    /** Whether the unit's output is complete (a done unit stays done). */
    boolean done(Unit u);

    void run(Unit u) throws IOException;
  }

  /** What this process did: units run here, units found done by others (or before). */
  public record Tally(int ran, int reused) {}

  private final List<Unit> units;
  private final Claims claims;
  private final Work work;
  private final PrintStream log;
  private final Duration poll;
  private final String who = "[compare " + ProcessHandle.current().pid() + "]";
  private final Set<Unit> done = new HashSet<>();

  public Scheduler(List<Unit> units, Claims claims, Work work, PrintStream log, Duration poll) {
    this.units = List.copyOf(units);
    this.claims = claims;
    this.work = work;
    this.log = log;
    this.poll = poll;
  }

  public Tally run() throws IOException {
    int reused = (int) units.stream().filter(this::isDone).count();
    if (reused > 0) log.println(who + " " + reused + " of " + units.size() + " units already done, reused");
    int ran = 0;
    boolean waiting = false;
    while (true) {
      List<Unit> pending = units.stream().filter(u -> !isDone(u)).toList();
      if (pending.isEmpty()) return new Tally(ran, units.size() - ran);
      // A pass judges dependencies by the done-ness it started with, so that a fine-tune another
      // process finishes mid-pass frees its evaluations together, in plan order, on the next pass.
      Set<Unit> waitingOn = new HashSet<>(pending);
      Optional<Unit> took = Optional.empty();
      for (Unit u : pending) {
        Unit dep = u.dependency();
        if (dep != null && waitingOn.contains(dep)) continue;
        Optional<Claims.Claim> claim = claims.tryClaim(u.id());
        if (claim.isEmpty()) continue;
        try (Claims.Claim held = claim.get()) {
          if (!isDone(u)) {
            runOne(u);
            ran++;
          }
        }
        took = Optional.of(u);
        break;
      }
      if (took.isPresent()) {
        waiting = false;
        continue;
      }
      if (!waiting) {
        log.println(who + " waiting: " + pending.size() + " unit(s) left, held by other processes or waiting"
            + " for fine-tunes they hold (looking again every " + Numbers.duration(poll.toMillis() / 1e3) + ")");
        waiting = true;
      }
      Claims.sleep(poll);
    }
  }

  private void runOne(Unit u) throws IOException {
    log.println(who + " start " + u.describe());
    long t0 = System.nanoTime();
    work.run(u);
    if (!work.done(u)) throw new IllegalStateException(u.describe() + " ended without its output");
    done.add(u);
    log.println(who + " done  " + u.describe() + " in " + Numbers.duration((System.nanoTime() - t0) / 1e9));
  }

  private boolean isDone(Unit u) {
    if (done.contains(u)) return true;
    if (!work.done(u)) return false;
    done.add(u);
    return true;
  }
}
