package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One kernel launch being assembled: grid, block, shared memory and the arguments in the
 * kernel's parameter order. cuLaunchKernel takes an array of pointers to argument values; both
 * live in off-heap memory owned by the calling thread and are reused by its next launch (the
 * driver copies the values during the call), so a launch allocates nothing.
 */
final class KernelCall {
  private static final int MAX_ARGS = 32;
  private static final ThreadLocal<KernelCall> PER_THREAD = ThreadLocal.withInitial(KernelCall::new);

  private final MemorySegment values;
  private final MemorySegment pointers;
  private Kernel kernel;
  private int count, gx, gy, gz, bx, shared;

  private KernelCall() {
    Arena arena = Arena.ofAuto();
    values = arena.allocate(8L * MAX_ARGS, 8);
    pointers = arena.allocate(ADDRESS, MAX_ARGS);
    for (int i = 0; i < MAX_ARGS; i++) {
      pointers.setAtIndex(ADDRESS, i, values.asSlice(8L * i, 8));
    }
  }

  static KernelCall of(Kernel kernel) {
    KernelCall c = PER_THREAD.get();
    c.kernel = kernel;
    c.count = 0;
    c.gx = c.gy = c.gz = 1;
    c.bx = 1;
    c.shared = 0;
    return c;
  }

  KernelCall grid(int x) {
    return grid(x, 1, 1);
  }

  KernelCall grid(int x, int y, int z) {
    if (x < 1 || y < 1 || z < 1 || y > 65_535 || z > 65_535) {
      throw new IllegalArgumentException(kernel.name + ": grid " + x + "×" + y + "×" + z
          + " is outside CUDA's limits");
    }
    gx = x;
    gy = y;
    gz = z;
    return this;
  }

  KernelCall block(int threads) {
    bx = threads;
    return this;
  }

  KernelCall shared(int bytes) {
    kernel.allowShared(bytes);
    shared = bytes;
    return this;
  }

  KernelCall ptr(long devicePointer) {
    return i64(devicePointer);
  }

  KernelCall i32(int v) {
    slot().set(JAVA_INT, 0, v);
    return this;
  }

  KernelCall i64(long v) {
    slot().set(JAVA_LONG, 0, v);
    return this;
  }

  KernelCall f32(float v) {
    slot().set(JAVA_FLOAT, 0, v);
    return this;
  }

  KernelCall f64(double v) {
    slot().set(JAVA_DOUBLE, 0, v);
    return this;
  }

  private MemorySegment slot() {
    if (count == MAX_ARGS) throw new IllegalStateException(kernel.name + ": too many arguments");
    return values.asSlice(8L * count++, 8);
  }

  /** Enqueues the kernel on the context's stream; a launch error throws naming the kernel. */
  void launch() {
    CudaContext ctx = kernel.context;
    ctx.makeCurrent();
    int status = ctx.driver.launch(kernel.function, gx, gy, gz, bx, 1, 1, shared, ctx.stream,
        pointers);
    if (status != 0) {
      ctx.driver.check("cuLaunchKernel(" + kernel.name + ", grid " + gx + "×" + gy + "×" + gz
          + ", block " + bx + ", shared " + shared + ")", status);
    }
    if (ctx.syncEveryLaunch) {
      try {
        ctx.synchronize();
      } catch (CudaException e) {
        throw new CudaException("kernel " + kernel.name + " failed: " + e.getMessage(), e.status());
      }
    }
  }
}
