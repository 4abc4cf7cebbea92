package io.cream.backend.cpu;

import io.cream.util.Parallel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Runs numbered tasks on at most a given number of the pool's workers. Workers pull the next task
 * number from a shared counter, so uneven tasks (edge tiles, a busy core) still balance.
 */
final class GemmTasks {
  private GemmTasks() {}

  static void run(int tasks, int workers, IntConsumer task) {
    int w = Math.min(Math.min(workers, tasks), Parallel.threads());
    if (w <= 1) {
      for (int t = 0; t < tasks; t++) task.accept(t);
      return;
    }
    AtomicInteger next = new AtomicInteger();
    Parallel.forRange(w, 1, (start, end) -> {
      for (int t = next.getAndIncrement(); t < tasks; t = next.getAndIncrement()) task.accept(t);
    });
  }
}
