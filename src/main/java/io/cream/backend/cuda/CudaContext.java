package io.cream.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * One GPU as this process uses it: the device's primary context, one stream on which every copy,
 * kernel and cuBLAS call is queued (so work is ordered without events), the cuBLAS handle, the
 * kernel modules and the pinned staging buffers. Opened once per device and kept for the life of
 * the process (the primary context is shared with any other CUDA user in the process).
 *
 * <p>A CUDA context is current per OS thread: {@link #makeCurrent()} is called at every entry
 * point, and costs one thread-local read when the context is already current on the thread.
 */
final class CudaContext {
  private static final int ATTR_MULTIPROCESSORS = 16;
  private static final int ATTR_CC_MAJOR = 75;
  private static final int ATTR_CC_MINOR = 76;
  private static final int ATTR_MAX_SHARED_OPTIN = 97;

  private static final Map<Integer, CudaContext> OPEN = new HashMap<>();
  private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

  final CudaDriver driver;
  final Nvrtc nvrtc;
  final int ordinal;
  final String deviceName;
  /** The NVRTC target, "sm_" + compute capability, e.g. "sm_90". */
  final String arch;
  /** Whether the GPU has bf16 and TF32 tensor cores (mma.sync, compute capability 8.0+). */
  final boolean ampereOrNewer;
  final int multiprocessors;
  final int maxSharedPerBlock;
  final MemorySegment context;
  final MemorySegment stream;
  final Cublas cublas;
  final KernelLibrary kernels;
  final HostStaging staging;
  /** CREAM_CUDA_SYNC=1: wait after every launch so a failing kernel is named (debugging). */
  final boolean syncEveryLaunch = "1".equals(System.getenv("CREAM_CUDA_SYNC"));

  private CudaContext(CudaLibraries libs, int ordinal) {
    this.driver = libs.driver;
    this.nvrtc = libs.nvrtc;
    this.ordinal = ordinal;
    int count = driver.deviceCount();
    if (ordinal < 0 || ordinal >= count) {
      throw new CudaException("CUDA device " + ordinal + " does not exist: this machine has "
          + count + " (valid: 0.." + (count - 1) + ")");
    }
    int device = driver.device(ordinal);
    deviceName = driver.deviceName(device);
    int major = driver.attribute(device, ATTR_CC_MAJOR);
    arch = "sm_" + major + driver.attribute(device, ATTR_CC_MINOR);
    ampereOrNewer = major >= 8;
    multiprocessors = driver.attribute(device, ATTR_MULTIPROCESSORS);
    maxSharedPerBlock = driver.attribute(device, ATTR_MAX_SHARED_OPTIN);
    context = driver.retainPrimaryContext(device);
    driver.setCurrent(context);
    CURRENT.set(context);
    stream = driver.createStream();
    cublas = new Cublas(libs.cublas, stream);
    kernels = new KernelLibrary(this, new KernelCache(
        KernelCache.directory(System.getenv(), System.getProperty("user.home"))));
    staging = new HostStaging(this);
  }

  /** The context of device ordinal, opened on first use. */
  static synchronized CudaContext open(int ordinal) {
    CudaContext c = OPEN.get(ordinal);
    if (c == null) {
      c = new CudaContext(CudaLibraries.get(), ordinal);
      OPEN.put(ordinal, c);
    }
    c.makeCurrent();
    return c;
  }

  /** Makes this context current on the calling thread (once per thread). */
  void makeCurrent() {
    if (CURRENT.get() != context) {
      driver.setCurrent(context);
      CURRENT.set(context);
    }
  }

  /** Waits for everything queued on the stream; reports any failure of queued work. */
  void synchronize() {
    makeCurrent();
    driver.synchronize(stream);
  }

  Kernel kernel(String file, String function) {
    return kernels.get(file, function);
  }

  /** {free, total} device memory in bytes. */
  long[] memoryInfo() {
    makeCurrent();
    return driver.memoryInfo();
  }
}
