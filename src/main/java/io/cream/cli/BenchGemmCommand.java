package io.cream.cli;

import io.cream.backend.cpu.CpuInfo;
import io.cream.backend.cpu.FmaPeak;
import io.cream.backend.cpu.Gemm;
import io.cream.util.Parallel;
import io.cream.util.UserError;
import java.io.PrintWriter;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** `cream bench gemm`: the CPU matrix product against the machine's measured FMA peak. */
@Command(
    name = "gemm",
    mixinStandardHelpOptions = true,
    description = {
      "Time the CPU fp32 matrix product (io.cream.backend.cpu.Gemm) and compare it with the"
          + " machine's peak, measured with independent vector FMA chains on the same threads.",
      "Shapes are MxNxK (C[MxN] = op(A)[MxK]·op(B)[KxN]) or N for NxNxN, optionally followed by"
          + " :nn, :nt, :tn or :tt (t = that operand transposed). The defaults are square products"
          + " and a Llama-7B MLP layer on 256 tokens: forward x·Wᵀ (:nt), backward dX = dY·W"
          + " (:nn) and dW = dYᵀ·X (:tn)."
    })
public final class BenchGemmCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--sizes", split = ",", paramLabel = "SHAPE",
      description = "Shapes to time (default: ${DEFAULT-VALUE}).",
      defaultValue = "1024,2048,4096,256x11008x4096:nt,256x4096x11008:nn,11008x4096x256:tn")
  List<String> sizes;

  @Option(names = "--threads", split = ",", paramLabel = "N",
      description = "Thread counts to run with, each at most the pool size (default: the pool,"
          + " which is the machine's processors or CREAM_THREADS).")
  List<Integer> threads;

  @Option(names = "--repeats", paramLabel = "N", defaultValue = "5",
      description = "Timed runs per shape; the median is reported (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "2",
      description = "Untimed runs per shape first, at least (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--warmup-seconds", paramLabel = "S", defaultValue = "2",
      description = "Keep warming up each shape for at least this long, so the JIT has compiled"
          + " the kernels (default: ${DEFAULT-VALUE}).")
  double warmupSeconds;

  @Option(names = "--peak-ms", paramLabel = "MS", defaultValue = "300",
      description = "Length of each of the five FMA peak runs (default: ${DEFAULT-VALUE}).")
  int peakMillis;

  /** One product to time. */
  record Shape(int m, int n, int k, boolean transA, boolean transB) {
    private static final Pattern SYNTAX =
        Pattern.compile("(\\d+)(?:[x×](\\d+)[x×](\\d+))?(?::([nt])([nt]))?");

    static Shape parse(String text) {
      Matcher mt = SYNTAX.matcher(text.trim().toLowerCase());
      UserError.require(mt.matches(), "bad --sizes entry '" + text
          + "': write N, MxNxK or MxNxK:nt (t = transposed operand), e.g. 256x4096x11008:nt");
      int m = positive(mt.group(1), text);
      int n = mt.group(2) == null ? m : positive(mt.group(2), text);
      int k = mt.group(3) == null ? m : positive(mt.group(3), text);
      long largest = Math.max((long) m * k, Math.max((long) k * n, (long) m * n));
      UserError.require(largest < Integer.MAX_VALUE,
          "--sizes entry '" + text + "' has a matrix over 2^31 floats; use smaller dimensions");
      return new Shape(m, n, k, "t".equals(mt.group(4)), "t".equals(mt.group(5)));
    }

    private static int positive(String digits, String text) {
      int v;
      try {
        v = Integer.parseInt(digits);
      } catch (NumberFormatException e) {
        v = 0;
      }
      UserError.require(v >= 1, "bad --sizes entry '" + text
          + "': dimensions must be whole numbers from 1 to 2147483647");
      return v;
    }

    double flops() {
      return 2.0 * m * n * k;
    }

    /** Memory for A, B and C. */
    long bytes() {
      return 4L * ((long) m * k + (long) k * n + (long) m * n);
    }

    @Override
    public String toString() {
      return m + "×" + n + "×" + k + " " + (transA ? "t" : "n") + (transB ? "t" : "n");
    }
  }

  @Override
  public Integer call() {
    UserError.require(repeats >= 1, "--repeats must be at least 1");
    UserError.require(warmup >= 0, "--warmup must not be negative");
    UserError.require(warmupSeconds >= 0, "--warmup-seconds must not be negative");
    UserError.require(peakMillis >= 1, "--peak-ms must be at least 1");
    List<Shape> shapes = sizes.stream().map(Shape::parse).toList();
    long heap = Runtime.getRuntime().maxMemory();
    for (Shape s : shapes) {
      UserError.require(s.bytes() < heap * 0.8, "shape " + s + " needs " + s.bytes() / (1 << 20)
          + " MiB, more than the JVM heap allows (" + heap / (1 << 20) + " MiB); use smaller"
          + " --sizes or raise CREAM_MAX_RAM_PERCENT");
    }
    int pool = Parallel.threads();
    List<Integer> counts = threads == null || threads.isEmpty() ? List.of(pool) : threads;
    for (int t : counts) {
      UserError.require(t >= 1 && t <= pool, "--threads " + t + " is outside 1.." + pool
          + " (the worker pool); set CREAM_THREADS=" + Math.max(1, t) + " to change the pool");
    }
    PrintWriter out = spec.commandLine().getOut();
    CpuInfo cpu = CpuInfo.read();
    int lanes = FmaPeak.lanes();
    out.printf("CPU fp32 GEMM benchmark: %s, %d logical CPUs, %d-lane vectors (%d-bit),"
        + " pool of %d threads, load average %s%n",
        cpu.model(), cpu.logicalCpus(), lanes, lanes * 32, pool, BenchCommand.loadAverage());
    if (cpu.mhz() > 0) {
      double ghz = cpu.mhz() / 1000;
      out.printf("theoretical peak at the reported clock: %d cores × 2 FMA units × %d lanes × 2"
          + " flops × %.3f GHz = %.1f GFLOP/s (the clock under AVX load may differ)%n",
          cpu.logicalCpus(), lanes, ghz, FmaPeak.theoretical(cpu.logicalCpus(), 2, lanes, ghz));
    }
    out.printf("%-8s %-24s %10s %10s %8s%n", "threads", "shape m×n×k op", "ms", "GFLOP/s",
        "% peak");
    for (int t : counts) {
      double peak = FmaPeak.measure(t, peakMillis, 5);
      out.printf("%-8d %-24s %10s %10.1f %8s%n", t, "measured FMA peak", "", peak, "100.0");
      out.flush();
      for (Shape s : shapes) {
        BenchCommand.Timing timing = timeShape(s, t);
        double gflops = s.flops() / timing.median() / 1e6;
        out.printf("%-8d %-24s %10.2f %10.1f %8.1f%n", t, s, timing.median(), gflops,
            100 * gflops / peak);
        out.flush();
      }
      // Measured again after the shapes: a drop means other work shared the cores meanwhile.
      double after = FmaPeak.measure(t, peakMillis, 5);
      out.printf("%-8d %-24s %10s %10.1f %8.1f%n", t, "FMA peak, re-measured", "", after,
          100 * after / peak);
    }
    out.printf("load average after: %s%n", BenchCommand.loadAverage());
    return 0;
  }

  private BenchCommand.Timing timeShape(Shape s, int threadCount) {
    Random rnd = new Random(1);
    float[] a = random(rnd, s.m() * s.k());
    float[] b = random(rnd, s.k() * s.n());
    float[] c = new float[s.m() * s.n()];
    int lda = s.transA() ? s.m() : s.k();
    int ldb = s.transB() ? s.k() : s.n();
    return BenchCommand.time(warmup, warmupSeconds, repeats, () -> Gemm.gemm(
        s.transA(), s.transB(), s.m(), s.n(), s.k(), a, 0, lda, b, 0, ldb, c, 0, s.n(), false,
        threadCount));
  }

  private static float[] random(Random rnd, int size) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) x[i] = rnd.nextFloat() * 2 - 1;
    return x;
  }
}
