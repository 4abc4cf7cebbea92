package io.cream.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for fault tests: {@code lock OUT} takes the run lock as a training run does and
 * holds it; {@code save OUT} starts the writes a checkpoint save makes and stops in the middle.
 * Each prints "ready" when in place and then waits to be killed.
 */
final class FaultProcess {
  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[1]);
    switch (args[0]) {
      case "lock" -> {
        RunLock lock = RunLock.acquire(out);
        ready();
        lock.close(); // not reached: killed while sleeping
      }
      case "save" -> {
        Path tmp = new Checkpoints(out).begin(7);
        Files.write(tmp.resolve("model.safetensors"), new byte[3000]);
        io.cream.util.AtomicFiles.write(out.resolve("model.safetensors"), o -> {
          o.write(new byte[5000]);
          o.flush();
          ready();
        });
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void ready() {
    System.out.println("ready");
    System.out.flush();
    try {
      Thread.sleep(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts {@code mode} on {@code out} in a new JVM and returns once it is ready. */
  static Process start(String mode, Path out) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        FaultProcess.class.getName(), mode, out.toString())).redirectErrorStream(true).start();
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = r.readLine();
    if (!"ready".equals(line)) {
      p.destroyForcibly();
      throw new IllegalStateException("the child process said " + line);
    }
    return p;
  }

  /** kill -9, and wait until the process is gone. */
  static void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    if (!p.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("the child did not die");
  }
}
