package io.cream.backend.cuda;

/** The allocator's raw calls on a context: cuMemAlloc_v2 / cuMemFree_v2 and a stream wait. */
final class DriverMemory implements DeviceAllocator.Raw {
  private static final int CUDA_ERROR_OUT_OF_MEMORY = 2;

  private final CudaContext ctx;
  private final int[] status = new int[1];

  DriverMemory(CudaContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public long allocate(long bytes) {
    ctx.makeCurrent();
    long p = ctx.driver.alloc(bytes, status);
    if (status[0] == CUDA_ERROR_OUT_OF_MEMORY) return 0; // the allocator trims its cache, retries
    ctx.driver.check("cuMemAlloc_v2(" + bytes + " bytes)", status[0]);
    return p;
  }

  @Override
  public void free(long pointer) {
    ctx.makeCurrent();
    ctx.driver.free(pointer);
  }

  @Override
  public void synchronize() {
    ctx.synchronize();
  }
}
