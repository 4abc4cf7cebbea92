package io.cream.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Runs generation jobs on one thread, because a backend serves one thread at a time: up to
 * {@code parallel} jobs are active and advance in turn (a prompt chunk or one token each), up to
 * {@code queue} more wait for a slot, and a request beyond that is refused at once with 429 so a
 * client can back off. {@link #shutdown} refuses new jobs (503), lets the admitted ones finish
 * for a while, and fails the rest.
 */
final class Scheduler implements AutoCloseable {
  private final int parallel;
  private final int queue;
  private final Deque<GenerationJob> waiting = new ArrayDeque<>();
  private final List<GenerationJob> active = new ArrayList<>();
  private final Thread thread;
  private boolean accepting = true;
  private boolean draining; // stop once every admitted job is done
  private boolean aborting; // fail every job now

  Scheduler(int parallel, int queue) {
    if (parallel < 1 || queue < 0) throw new IllegalArgumentException("parallel ≥ 1 and queue ≥ 0");
    this.parallel = parallel;
    this.queue = queue;
    this.thread = Thread.ofPlatform().name("cream-generate").daemon(true).start(this::run);
  }

  /** Admits a job, or throws 429 (every slot and queue place taken) or 503 (shutting down). */
  synchronized void submit(GenerationJob job) {
    if (!accepting) throw shuttingDown();
    if (active.size() + waiting.size() >= parallel + queue) {
      throw new ApiError(429, "rate_limit_exceeded", null, "queue_full", "the server is busy: " + active.size()
          + " request(s) generating and " + waiting.size() + " waiting (--parallel " + parallel + ", --queue " + queue
          + "); retry later");
    }
    waiting.add(job);
    notifyAll();
  }

  /** Whether the generation thread still runs (false after shutdown, or if it died). */
  boolean alive() {
    return thread.isAlive();
  }

  /** Requests generating now and waiting (for logs and tests). */
  synchronized int[] load() {
    return new int[] {active.size(), waiting.size()};
  }

  private void run() {
    List<GenerationJob> turn = new ArrayList<>();
    while (true) {
      synchronized (this) {
        while (true) {
          active.removeIf(GenerationJob::finished);
          if (aborting) {
            ApiError stop = shuttingDown();
            for (GenerationJob j : active) j.fail(stop);
            for (GenerationJob j : waiting) j.fail(stop);
            active.clear();
            waiting.clear();
            return;
          }
          while (active.size() < parallel && !waiting.isEmpty()) active.add(waiting.poll());
          if (!active.isEmpty()) break;
          if (draining) return;
          try {
            wait();
          } catch (InterruptedException e) {
            aborting = true;
          }
        }
        turn.clear();
        turn.addAll(active);
      }
      for (GenerationJob j : turn) {
        if (j.cancelled()) j.release(); else j.step();
      }
    }
  }

  private static ApiError shuttingDown() {
    return new ApiError(503, "server_error", null, "server_shutting_down", "the server is shutting down");
  }

  /**
   * Stops taking jobs and lets the admitted ones (generating or waiting) finish, for at most
   * timeoutMillis; whatever is left then fails with 503.
   */
  void shutdown(long timeoutMillis) {
    synchronized (this) {
      accepting = false;
      draining = true;
      notifyAll();
    }
    join(timeoutMillis);
    synchronized (this) {
      aborting = true;
      notifyAll();
    }
    join(10_000);
  }

  private void join(long millis) {
    try {
      thread.join(Math.max(1, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown(0);
  }
}
