package io.cream.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs the worker processes of a data-parallel run and waits for all of them. Every line a worker
 * writes to stderr is forwarded with its prefix ("[rank 1] "); stdout goes through unchanged for
 * the worker marked so (rank 0, whose last line is the run's result) and with the prefix for the
 * others. When a worker fails, the others are stopped (SIGTERM, then SIGKILL after a grace
 * period): a rank left alone would wait forever in its next collective. If this process is
 * stopped, its shutdown hook stops the workers too.
 */
public final class WorkerGroup {
  /**
   * One process: label names it in messages ("rank 1 (GPU 1)"), prefix starts each forwarded
   * line, plainStdout passes its stdout through without the prefix.
   */
  public record Worker(String label, String prefix, List<String> command, boolean plainStdout) {}

  private WorkerGroup() {}

  /**
   * Starts every worker with env added to this process's environment and waits for all.
   *
   * @return 0 when every worker exited 0; else 2 when the first to fail exited 2 (a usage error
   *     it has explained), 1 otherwise
   */
  public static int run(List<Worker> workers, Map<String, String> env, PrintStream out,
      PrintStream err, Duration grace) throws IOException, InterruptedException {
    List<Process> procs = new ArrayList<>();
    List<Thread> pumps = new ArrayList<>();
    BlockingQueue<Integer> exited = new LinkedBlockingQueue<>();
    Thread hook = new Thread(() -> procs.forEach(Process::destroyForcibly), "stop-workers");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      for (int i = 0; i < workers.size(); i++) {
        Worker w = workers.get(i);
        ProcessBuilder pb = new ProcessBuilder(w.command());
        pb.environment().putAll(env);
        Process p;
        try {
          p = pb.start();
        } catch (IOException e) {
          stop(procs, grace);
          throw new IOException("cannot start " + w.label() + " (" + w.command().getFirst() + "): "
              + e.getMessage(), e);
        }
        procs.add(p);
        p.getOutputStream().close();
        pumps.add(pump(p.getErrorStream(), err, w.prefix()));
        pumps.add(w.plainStdout() ? pump(p.getInputStream(), out, "")
            : pump(p.getInputStream(), err, w.prefix()));
        int index = i;
        p.onExit().thenRun(() -> exited.add(index));
      }
      int failed = -1;
      int failedCode = 0;
      long killAt = Long.MAX_VALUE;
      for (int done = 0; done < procs.size(); ) {
        long waitMs = killAt == Long.MAX_VALUE ? 1000
            : Math.max(1, Math.min(1000, (killAt - System.nanoTime()) / 1_000_000));
        Integer i = exited.poll(waitMs, TimeUnit.MILLISECONDS);
        if (i == null) {
          if (killAt != Long.MAX_VALUE && System.nanoTime() - killAt >= 0) {
            procs.forEach(Process::destroyForcibly);
            killAt = Long.MAX_VALUE;
          }
          continue;
        }
        done++;
        int code = procs.get(i).exitValue();
        if (code != 0 && failed < 0) {
          failed = i;
          failedCode = code;
          procs.forEach(Process::destroy);
          killAt = System.nanoTime() + grace.toNanos();
        }
      }
      for (Thread t : pumps) t.join(5_000);
      if (failed < 0) return 0;
      synchronized (err) {
        err.println("cream: " + workers.get(failed).label() + " failed with exit code " + failedCode
            + (workers.size() > 1 ? "; the other workers were stopped" : ""));
      }
      return failedCode == 2 ? 2 : 1;
    } catch (InterruptedException e) {
      stop(procs, grace);
      throw e;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs (or ran) anyway
      }
    }
  }

  /** SIGTERM to all, SIGKILL to those still alive after grace. */
  private static void stop(List<Process> procs, Duration grace) throws InterruptedException {
    procs.forEach(Process::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Process p : procs) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) p.destroyForcibly();
    }
  }

  /** A daemon thread copying lines of in to sink, each after prefix. */
  private static Thread pump(InputStream in, PrintStream sink, String prefix) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          synchronized (sink) {
            sink.println(prefix + line);
          }
        }
      } catch (IOException e) {
        // the worker is gone; its exit code tells what happened
      }
    }, "forward" + prefix.strip());
    t.setDaemon(true);
    t.start();
    return t;
  }
}
