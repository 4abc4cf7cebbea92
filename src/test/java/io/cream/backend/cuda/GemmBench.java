package io.cream.backend.cuda;

import java.util.Arrays;
import java.util.Locale;

/**
 * The bf16 products of a TinyLlama training step (16,384 tokens) through cublasGemmEx, three ways:
 * fp32 output with cuBLAS's default workspace (what CudaLinear does), fp32 output with a 32 MiB
 * workspace, and bf16 output with it. A measurement for the GPU machine (not a test): each shape
 * is timed alone, 20 runs after a warm-up, median, with TFLOP/s; {@code scripts/bench_torch.py gemm}
 * times torch's bf16 products on the same shapes.
 */
final class GemmBench {
  private GemmBench() {}

  record Shape(String name, int in, int out) {}

  public static void main(String[] args) {
    int n = 16_384;
    Shape[] shapes = {new Shape("q/o 2048→2048", 2048, 2048), new Shape("k/v 2048→256", 2048, 256),
        new Shape("gate/up 2048→5632", 2048, 5632), new Shape("down 5632→2048", 5632, 2048),
        new Shape("lm head 2048→32000", 2048, 32_000)};
    CudaContext ctx = CudaContext.open(0);
    DeviceAllocator alloc = new DeviceAllocator(new DriverMemory(ctx));
    Cublas blas = ctx.cublas;
    long wsBytes = 32L << 20;
    long workspace = alloc.allocate(wsBytes);
    // Buffers of every shape first: the default-workspace column must run before any
    // cublasSetWorkspace call (a handle cannot be given its default pool back).
    long[][] buf = new long[shapes.length][];
    for (int i = 0; i < shapes.length; i++) {
      Shape s = shapes[i];
      long x = alloc.allocate(2L * n * s.in()), w = alloc.allocate(2L * s.out() * s.in());
      long dy = alloc.allocate(2L * n * s.out());
      long y = alloc.allocate(4L * n * s.out()), dx = alloc.allocate(4L * n * s.in());
      long dw = alloc.allocate(4L * s.out() * s.in());
      for (long[] t : new long[][] {{x, n * (long) s.in()}, {w, (long) s.out() * s.in()},
          {dy, n * (long) s.out()}}) {
        ctx.driver.fill32(t[0], 0x3c003c00, t[1] / 2, ctx.stream); // bf16 pairs of 2^-7
      }
      buf[i] = new long[] {x, w, dy, y, dx, dw};
    }
    double[][][] tf = new double[shapes.length][3][3]; // shape, pass, variant
    for (int variant = 0; variant < 3; variant++) {
      if (variant == 1) blas.setWorkspace(workspace, wsBytes);
      for (int i = 0; i < shapes.length; i++) {
        Shape s = shapes[i];
        long x = buf[i][0], w = buf[i][1], dy = buf[i][2], y = buf[i][3], dx = buf[i][4];
        long dw = buf[i][5];
        double flops = 2.0 * n * s.in() * s.out();
        for (int p = 0; p < 3; p++) {
          int cType = variant == 2 && p < 2 ? Cublas.R_16BF : Cublas.R_32F;
          Runnable r = switch (p) {
            case 0 -> () -> blas.gemm(Cublas.OP_T, Cublas.OP_N, s.out(), n, s.in(), w, s.in(), x,
                s.in(), Cublas.R_16BF, false, y, cType, s.out(), Cublas.COMPUTE_32F);
            case 1 -> () -> blas.gemm(Cublas.OP_N, Cublas.OP_N, s.in(), n, s.out(), w, s.in(), dy,
                s.out(), Cublas.R_16BF, false, dx, cType, s.in(), Cublas.COMPUTE_32F);
            default -> () -> blas.gemm(Cublas.OP_N, Cublas.OP_T, s.in(), s.out(), n, x, s.in(), dy,
                s.out(), Cublas.R_16BF, true, dw, Cublas.R_32F, s.in(), Cublas.COMPUTE_32F);
          };
          tf[i][p][variant] = flops / time(ctx, r) / 1e9;
        }
      }
    }
    System.out.printf(Locale.ROOT, "%-22s %-5s %12s %12s %12s%n", "shape", "pass",
        "fp32 out", "+32MiB ws", "bf16 out+ws");
    String[] pass = {"fwd", "dx", "dW"};
    for (int i = 0; i < shapes.length; i++) {
      for (int p = 0; p < 3; p++) {
        System.out.printf(Locale.ROOT, "%-22s %-5s %12.1f %12.1f %12.1f%n", shapes[i].name(),
            pass[p], tf[i][p][0], tf[i][p][1], tf[i][p][2]);
      }
    }
    System.out.println("(TFLOP/s, median of 20; dW accumulates into fp32 in every variant)");
  }

  private static double time(CudaContext ctx, Runnable r) {
    for (int i = 0; i < 3; i++) r.run();
    ctx.synchronize();
    double[] ms = new double[20];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      r.run();
      ctx.synchronize();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return ms[ms.length / 2];
  }
}
