package io.cream.compare;

import io.cream.backend.Backend;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * `cream compare`: one plan's grid of fine-tunes and evaluations in an output folder, shared by
 * any number of processes (each claims units of work through file locks), ending with the report
 * and the summary tables.
 */
public final class Compare {
  /**
   * @param tally what this process ran and found done
   * @param summary summary.md's text, or null when another process extended the plan meanwhile
   *     (the outputs are then left to the processes running the extended plan)
   */
  public record Result(Scheduler.Tally tally, String summary) {}

  private final ComparePlan plan;
  private final Layout layout;
  private final Supplier<Backend> backends;
  private final String device;
  private final PrintStream log;
  private final Duration poll;

  /**
   * @param backends opens a backend for one unit of work
   * @param device the backend in words, recorded with each fine-tune
   * @param log progress lines (stderr on the command line)
   * @param poll how long to sleep when every unit left is held by other processes
   */
  public Compare(ComparePlan plan, Path dir, Supplier<Backend> backends, String device, PrintStream log, Duration poll) {
    this.plan = plan;
    this.layout = new Layout(dir.toAbsolutePath().normalize());
    this.backends = backends;
    this.device = device;
    this.log = log;
    this.poll = poll;
  }

  public Result run() throws IOException {
    Claims claims = new Claims(layout.locks());
    PlanStore.checkOrSave(plan, layout, claims, poll, log);
    List<Unit> units = Unit.of(plan);
    long finetunes = units.stream().filter(Unit::isFinetune).count();
    log.printf("[compare] %s: %d runs, %d fine-tunes and %d evaluations in %s%n", plan.base().getFileName(),
        plan.runs().size(), finetunes, units.size() - finetunes, layout.dir());
    Scheduler.Tally tally = new Scheduler(units, claims, new UnitWork(plan, layout, backends, device, log), log, poll).run();
    return new Result(tally, Outputs.write(plan, layout, claims, poll, log));
  }
}
