package io.cream.cli;

import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * `cream bench`: speed measurements of cream's building blocks, one subcommand each (gemm now;
 * train and decode belong here too). Shared here: how to time a body and how busy the machine was.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measure the speed of cream's building blocks (warm-up, repeats, medians).",
    subcommands = {BenchGemmCommand.class, BenchTrainCommand.class, BenchInferCommand.class})
public final class BenchCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    throw new UserError("name a benchmark, e.g. 'cream bench gemm' (see 'cream bench --help')");
  }

  /** Wall-clock times of repeated runs, in milliseconds. */
  record Timing(double[] millis) {
    double median() {
      double[] s = millis.clone();
      Arrays.sort(s);
      int h = s.length / 2;
      return s.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
    }

    double best() {
      return Arrays.stream(millis).min().orElse(Double.NaN);
    }
  }

  /**
   * Runs body untimed at least warmups times and for at least warmupSeconds (the JIT must compile
   * the hot loops, caches and buffers fill), then repeats times timed.
   */
  static Timing time(int warmups, double warmupSeconds, int repeats, Runnable body) {
    long warmStart = System.nanoTime();
    long warmNanos = (long) (warmupSeconds * 1e9);
    for (int i = 0; i < warmups || System.nanoTime() - warmStart < warmNanos; i++) body.run();
    double[] ms = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long start = System.nanoTime();
      body.run();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    return new Timing(ms);
  }

  /** The 1-minute load average (Linux), or "unknown": other work on the machine skews timings. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
