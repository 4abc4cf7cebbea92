package io.cream.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.eval.EvalOptions;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scheduler's order and claiming, with stand-in work (no models). */
class SchedulerTest {
  @TempDir Path tmp;
  static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  static ComparePlan plan(int runs, List<Long> seeds) {
    Finetune ft = new Finetune(1, 1, 1, 1e-3, 0, "linear", 0, 0.9, 0.999, 1e-8, 1, 3, "per-sample", 3000, "documents", false, 0, "float32");
    List<RunSpec> rs = new ArrayList<>();
    rs.add(new RunSpec("pi", "none", "linear", 8, 32, null));
    for (int i = 0; i < runs; i++) rs.add(new RunSpec("run" + i, "cream", "linear", 8, 32, ft));
    List<EvalSpec> evals = List.of(new EvalSpec("passkey", EvalOptions.defaults(), Integer.MAX_VALUE),
        new EvalSpec("ppl", EvalOptions.defaults(), Integer.MAX_VALUE));
    return new ComparePlan(Path.of("/base"), Path.of("/data"), 32, 8, seeds, ft, rs, evals);
  }

  /** Work that records what ran, in order, and checks an evaluation never runs before its fine-tune. */
  static class Recorder implements Scheduler.Work {
    final Set<Unit> finished = ConcurrentHashMap.newKeySet();
    final List<Unit> order = Collections.synchronizedList(new ArrayList<>());
    final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    final Set<Unit> running = ConcurrentHashMap.newKeySet();

    @Override
    public boolean done(Unit u) {
      return finished.contains(u);
    }

    @Override
    public void run(Unit u) {
      if (!running.add(u)) errors.add(u.describe() + " ran twice at once");
      if (u.dependency() != null && !finished.contains(u.dependency())) errors.add(u.describe() + " before its fine-tune");
      try {
        Thread.sleep(u.isFinetune() ? 30 : 5);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      order.add(u);
      finished.add(u);
      running.remove(u);
    }
  }

  @Test
  void aLoneProcessTakesEachModelsEvaluationsRightAfterItsFinetune() throws Exception {
    ComparePlan p = plan(2, List.of(0L, 1L));
    Recorder work = new Recorder();
    Scheduler.Tally t = new Scheduler(Unit.of(p), new Claims(tmp.resolve("locks")), work, QUIET, Duration.ofMillis(10)).run();
    assertEquals(Unit.of(p), work.order);
    assertEquals(new Scheduler.Tally(2 + 2 * 2 * 3, 0), t);
  }

  @Test
  void twoProcessesShareTheUnitsAndRunEachOnce() throws Exception {
    ComparePlan p = plan(3, List.of(0L, 1L, 2L));
    Recorder work = new Recorder();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Scheduler.Tally>> tallies = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        // Two owners of claims on one folder, as two processes would be.
        tallies.add(pool.submit(() -> new Scheduler(Unit.of(p), new Claims(tmp.resolve("locks")), work, QUIET,
            Duration.ofMillis(5)).run()));
      }
      Scheduler.Tally a = tallies.get(0).get(60, TimeUnit.SECONDS);
      Scheduler.Tally b = tallies.get(1).get(60, TimeUnit.SECONDS);
      assertEquals(List.of(), work.errors);
      assertEquals(Unit.of(p).size(), work.order.size(), "every unit ran");
      assertEquals(Set.copyOf(Unit.of(p)), Set.copyOf(work.order), "each once");
      assertEquals(Unit.of(p).size(), a.ran() + b.ran());
      assertTrue(a.ran() > 0 && b.ran() > 0, "both took work: " + a + " " + b);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aUnitHeldByAnotherProcessIsSkippedAndTakenLaterOnceFree() throws Exception {
    ComparePlan p = plan(1, List.of(0L));
    List<Unit> units = Unit.of(p);
    Unit first = units.getFirst(); // the base with interpolation: passkey
    Claims other = new Claims(tmp.resolve("locks"));
    Claims.Claim held = other.tryClaim(first.id()).orElseThrow();
    Recorder work = new Recorder() {
      @Override
      public void run(Unit u) {
        super.run(u);
        // Everything else done: the holder lets go, as a process that ends does.
        if (order.size() == units.size() - 1) held.close();
      }
    };
    new Scheduler(units, new Claims(tmp.resolve("locks")), work, QUIET, Duration.ofMillis(5)).run();
    assertEquals(units.size(), work.order.size());
    assertEquals(first, work.order.getLast(), "the held unit came last: " + work.order);
    assertEquals(units.subList(1, units.size()), work.order.subList(0, units.size() - 1));
    assertEquals(List.of(), work.errors);
  }

  @Test
  void anEvaluationWaitsForAFinetuneHeldElsewhere() throws Exception {
    ComparePlan p = plan(1, List.of(0L));
    List<Unit> units = Unit.of(p).stream().filter(u -> u.run().finetunes()).toList();
    Unit finetune = units.getFirst();
    Claims other = new Claims(tmp.resolve("locks"));
    Claims.Claim held = other.tryClaim(finetune.id()).orElseThrow();
    Recorder work = new Recorder();
    Thread elsewhere = new Thread(() -> {
      try {
        Thread.sleep(100);
        work.run(finetune); // the other process finishes the fine-tune, then releases it
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      } finally {
        held.close();
      }
    });
    elsewhere.start();
    Scheduler.Tally t = new Scheduler(units, new Claims(tmp.resolve("locks")), work, QUIET, Duration.ofMillis(5)).run();
    elsewhere.join();
    assertEquals(List.of(), work.errors);
    assertEquals(units, work.order);
    assertEquals(new Scheduler.Tally(units.size() - 1, 1), t);
  }
}
