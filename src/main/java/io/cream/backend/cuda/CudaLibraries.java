package io.cream.backend.cuda;

/**
 * The CUDA libraries of this process, loaded once: the driver, NVRTC and cuBLAS (with cuBLASLt,
 * which cuBLAS needs, loaded first so the loader finds it even outside its search path). A failed
 * load is remembered and rethrown, so probing for CUDA costs one attempt.
 */
final class CudaLibraries {
  final CudaDriver driver;
  final Nvrtc nvrtc;
  final NativeLibraries.Loaded cublas;

  private static CudaLibraries instance;
  private static RuntimeException failure;

  private CudaLibraries() {
    driver = new CudaDriver(NativeLibraries.load("the CUDA driver", NativeLibraries.DRIVER));
    nvrtc = new Nvrtc(NativeLibraries.load("NVRTC", NativeLibraries.NVRTC));
    NativeLibraries.load("cuBLASLt", NativeLibraries.CUBLAS_LT);
    cublas = NativeLibraries.load("cuBLAS", NativeLibraries.CUBLAS);
    driver.init();
  }

  /** The libraries, loaded and cuInit called; throws CudaException when that is impossible. */
  static synchronized CudaLibraries get() {
    if (instance != null) return instance;
    if (failure != null) throw failure;
    try {
      instance = new CudaLibraries();
      return instance;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    } catch (LinkageError e) {
      failure = new CudaException("CUDA bindings cannot be linked: " + e);
      throw failure;
    }
  }
}
