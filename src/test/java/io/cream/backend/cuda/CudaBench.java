package io.cream.backend.cuda;

import io.cream.backend.AttentionShape;
import io.cream.backend.Tensor;
import io.cream.backend.TestData;
import java.util.Arrays;
import java.util.Locale;

/**
 * A first look at speed on the GPU machine (run by gpu-check.sh after the tests; not a test):
 * medians of repeated runs, host clock around a synchronised region after a warm-up. Prints one
 * line per case with the achieved TFLOP/s. fp32 kernels, so far below tensor-core peaks.
 */
final class CudaBench {
  private CudaBench() {}

  public static void main(String[] args) {
    if (!CudaBackend.isAvailable()) {
      System.out.println("bench: no CUDA (" + CudaBackend.unavailableReason() + ")");
      return;
    }
    System.out.printf(Locale.ROOT, "%-44s %10s %9s%n", "bench (median)", "ms", "TFLOP/s");
    if (args.length > 0 && args[0].equals("attention")) { // attention alone, per precision
      // args: attention [precisions, default fp32,tf32,bf16] [with "7b": the Llama-2-7B shapes];
      // bf16 runs what training runs (cuDNN when installed); bf16/STAGING picks cream's bf16
      // kernels (Bf16AttentionKernels: auto, cast5, async, registers).
      String list = args.length > 1 ? args[1] : "fp32,tf32,bf16";
      boolean llama7b = args.length > 2 && args[2].equals("7b");
      for (String name : list.split(",")) {
        String[] parts = name.split("/");
        Precision p = Precision.parse(parts[0]);
        System.setProperty(Bf16AttentionKernels.STAGING, parts.length > 1 ? parts[1] : "auto");
        if (parts.length > 1) System.setProperty(CudnnAttention.SWITCH, "0");
        else System.clearProperty(CudnnAttention.SWITCH);
        String tag = switch (p) {
          case FP32 -> "x3";
          case TF32 -> "x1";
          case BF16 -> name;
        };
        try (CudaBackend be = new CudaBackend(0, p)) {
          System.out.println("  " + name + ": " + be.attentionImplementation(
              AttentionShape.causal(4, 32, 4, 64, 4096)));
          attention(be, AttentionShape.causal(4, 32, 4, 64, 4096), 5, tag);
          attention(be, AttentionShape.causal(1, 32, 8, 128, 4096), 5, tag);
          if (llama7b) {
            attention(be, AttentionShape.causal(1, 32, 32, 128, 4096), 5, tag);
            attention(be, AttentionShape.causal(1, 32, 32, 128, 32_768), 3, tag);
          }
        }
      }
      return;
    }
    boolean linearOnly = args.length > 0 && args[0].equals("linear");
    for (Precision p : Precision.values()) {
      try (CudaBackend be = new CudaBackend(0, p)) {
        int n = 4096;
        Tensor x = random(be, n, n, 1), w = random(be, n, n, 2), y = be.zeros(n, n);
        double ms = time(be, 5, () -> be.linear(x, w, null, y));
        report("linear 4096³ " + p.label() + (p == Precision.BF16 ? " (+casts)" : ""), ms,
            2.0 * n * n * n);
      }
    }
    bf16Cast(16_384, 5632); // the widest activation of a TinyLlama step (4 × 4096 tokens)
    tinyLlamaLinear();
    if (linearOnly) return;
    try (CudaBackend be = new CudaBackend(0)) {
      for (int t : new int[] {4096, 32_768}) {
        AttentionShape s = AttentionShape.causal(1, 32, 8, 128, t);
        Tensor q = random(be, s.queryRows(), s.queryCols(), 3);
        Tensor k = random(be, s.kvRows(), s.kvCols(), 4);
        Tensor v = random(be, s.kvRows(), s.kvCols(), 5);
        Tensor out = be.zeros(s.queryRows(), s.queryCols());
        Tensor lse = be.zeros(s.queryRows(), s.heads());
        double causalFlops = 4.0 * t * (t + 1) / 2 * s.heads() * s.headDim();
        int reps = t > 8192 ? 1 : 3;
        double fwd = time(be, reps, () -> be.attention(s, q, k, v, out, lse));
        report("attention fwd T=" + t + " H=32 KV=8 d=128", fwd, causalFlops);
        Tensor dOut = random(be, s.queryRows(), s.queryCols(), 6);
        Tensor dq = be.zeros(s.queryRows(), s.queryCols());
        Tensor dk = be.zeros(s.kvRows(), s.kvCols()), dv = be.zeros(s.kvRows(), s.kvCols());
        double bwd = time(be, reps,
            () -> be.attentionBackward(s, q, k, v, out, lse, dOut, dq, dk, dv));
        report("attention bwd T=" + t + " H=32 KV=8 d=128", bwd, 2.5 * causalFlops);
        be.zeros(1, 1).close();
        long[] mem = be.memoryInUse();
        System.out.printf(Locale.ROOT, "  (tensors: %d MiB live, %d MiB peak)%n", mem[0] >> 20,
            mem[1] >> 20);
        for (Tensor z : new Tensor[] {q, k, v, out, lse, dOut, dq, dk, dv}) z.close();
      }
    }
    // The attention of one TinyLlama training step's layer (4 × 4096 tokens, 32/4 heads, d = 64).
    for (boolean tf32 : new boolean[] {false, true}) {
      try (CudaBackend be = new CudaBackend(0, tf32 ? Precision.TF32 : Precision.FP32)) {
        AttentionShape s = AttentionShape.causal(4, 32, 4, 64, 4096);
        attention(be, s, 5, tf32 ? "x1" : "x3");
      }
    }
  }

  /**
   * A TinyLlama gate projection (4 × 4096 tokens, 2048 → 5632) forward and backward in TF32 and
   * BF16, and the bf16 casts each pass of the latter makes (x and w; dy, x and w) timed alone.
   */
  private static void tinyLlamaLinear() {
    int n = 16_384, in = 2048, out = 5632;
    double flops = 2.0 * n * in * out;
    for (Precision p : new Precision[] {Precision.TF32, Precision.BF16}) {
      try (CudaBackend be = new CudaBackend(0, p)) {
        Tensor x = random(be, n, in, 1), w = random(be, out, in, 2), y = be.zeros(n, out);
        Tensor dy = random(be, n, out, 3), dx = be.zeros(n, in), dw = be.zeros(out, in);
        String shape = " 16384×2048→5632 " + p.label();
        report("linear fwd" + shape, time(be, 5, () -> be.linear(x, w, null, y)), flops);
        report("linear bwd" + shape, time(be, 5,
            () -> be.linearBackward(dy, x, w, dx, false, dw, null)), 2 * flops);
        if (p != Precision.BF16) continue;
        CudaContext ctx = CudaContext.open(0);
        Workspace ws = new Workspace(ctx, new DeviceAllocator(new DriverMemory(ctx)));
        CudaTensor cx = (CudaTensor) x, cw = (CudaTensor) w, cdy = (CudaTensor) dy;
        try (Workspace.Scratch bx = ws.scratch(cx.size() * Bf16Cast.BYTES);
            Workspace.Scratch bw = ws.scratch(cw.size() * Bf16Cast.BYTES);
            Workspace.Scratch bdy = ws.scratch(cdy.size() * Bf16Cast.BYTES)) {
          Bf16Cast cast = new Bf16Cast(ws);
          double fwd = time(be, 10, () -> {
            cast.round(cw.pointer(), bw.pointer, cw.size());
            cast.round(cx.pointer(), bx.pointer, cx.size());
          });
          double bwd = time(be, 10, () -> {
            cast.round(cdy.pointer(), bdy.pointer, cdy.size());
            cast.round(cw.pointer(), bw.pointer, cw.size());
            cast.round(cx.pointer(), bx.pointer, cx.size());
          });
          System.out.printf(Locale.ROOT, "%-44s %10.3f%n", "  of which casts, fwd (x, w)", fwd);
          System.out.printf(Locale.ROOT, "%-44s %10.3f%n", "  of which casts, bwd (dy, x, w)", bwd);
        }
        ws.allocator.trim();
      }
    }
  }

  /** The float32 → bf16 cast alone, in GB/s of bytes read plus written (6 per element). */
  private static void bf16Cast(int rows, int cols) {
    try (CudaBackend be = new CudaBackend(0, Precision.BF16)) {
      CudaTensor x = (CudaTensor) random(be, rows, cols, 7);
      CudaContext ctx = CudaContext.open(0);
      Workspace ws = new Workspace(ctx, new DeviceAllocator(new DriverMemory(ctx)));
      try (Workspace.Scratch out = ws.scratch(x.size() * Bf16Cast.BYTES)) {
        Bf16Cast cast = new Bf16Cast(ws);
        double ms = time(be, 10, () -> cast.round(x.pointer(), out.pointer, x.size()));
        System.out.printf(Locale.ROOT, "%-44s %10.3f %9s  %.0f GB/s%n", "bf16 cast " + rows + "×"
            + cols, ms, "-", 6.0 * x.size() / ms / 1e6);
      }
      ws.allocator.trim();
    }
  }

  private static void attention(CudaBackend be, AttentionShape s, int reps, String tag) {
    int t = s.queryLen();
    Tensor q = random(be, s.queryRows(), s.queryCols(), 3);
    Tensor k = random(be, s.kvRows(), s.kvCols(), 4);
    Tensor v = random(be, s.kvRows(), s.kvCols(), 5);
    Tensor out = be.zeros(s.queryRows(), s.queryCols());
    Tensor lse = be.zeros(s.queryRows(), s.heads());
    Tensor dOut = random(be, s.queryRows(), s.queryCols(), 6);
    Tensor dq = be.zeros(s.queryRows(), s.queryCols());
    Tensor dk = be.zeros(s.kvRows(), s.kvCols()), dv = be.zeros(s.kvRows(), s.kvCols());
    double causalFlops = 4.0 * t * (t + 1) / 2 * s.heads() * s.headDim() * s.batch();
    String shape = " B=" + s.batch() + " T=" + t + " H=" + s.heads() + "/" + s.kvHeads() + " d="
        + s.headDim() + " " + tag;
    report("attention fwd" + shape, time(be, reps, () -> be.attention(s, q, k, v, out, lse)),
        causalFlops);
    report("attention bwd" + shape, time(be, reps,
        () -> be.attentionBackward(s, q, k, v, out, lse, dOut, dq, dk, dv)), 2.5 * causalFlops);
    for (Tensor z : new Tensor[] {q, k, v, out, lse, dOut, dq, dk, dv}) z.close();
  }

  private static Tensor random(CudaBackend be, int rows, int cols, long seed) {
    return be.upload(TestData.toFloat(TestData.gaussian(seed, rows * cols, 1)), rows, cols);
  }

  /** Median milliseconds of reps runs after one warm-up run. */
  private static double time(CudaBackend be, int reps, Runnable r) {
    r.run();
    be.synchronize();
    double[] ms = new double[reps];
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      r.run();
      be.synchronize();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[reps / 2];
  }

  private static void report(String what, double ms, double flops) {
    System.out.printf(Locale.ROOT, "%-44s %10.2f %9.2f%n", what, ms, flops / ms / 1e9);
  }
}
