package io.cream.backend.cuda;

import java.lang.foreign.MemorySegment;

/** A compiled kernel function of a loaded module, ready to launch on its context's stream. */
final class Kernel {
  /** CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES */
  private static final int MAX_DYNAMIC_SHARED = 8;
  /** Without opting in, a block may use this much dynamic shared memory. */
  private static final int DEFAULT_SHARED_LIMIT = 48 * 1024;

  final String name;
  final MemorySegment function;
  final CudaContext context;
  private int sharedLimit = DEFAULT_SHARED_LIMIT;

  Kernel(String name, MemorySegment function, CudaContext context) {
    this.name = name;
    this.function = function;
    this.context = context;
  }

  /** Raises the dynamic shared memory limit to bytes when needed (up to the device's opt-in). */
  void allowShared(int bytes) {
    if (bytes <= sharedLimit) return;
    if (bytes > context.maxSharedPerBlock) {
      throw new IllegalArgumentException(name + " needs " + bytes + " bytes of shared memory; "
          + context.deviceName + " allows " + context.maxSharedPerBlock + " per block");
    }
    context.driver.setFunctionAttribute(function, MAX_DYNAMIC_SHARED, bytes);
    sharedLimit = bytes;
  }

  /** A launch of this kernel; add arguments in the kernel's parameter order, then launch(). */
  KernelCall call() {
    return KernelCall.of(this);
  }

  @Override
  public String toString() {
    return "kernel " + name;
  }
}
