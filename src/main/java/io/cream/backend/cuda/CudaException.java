package io.cream.backend.cuda;

/**
 * A failed CUDA, NVRTC or cuBLAS call, or a CUDA library that could not be loaded. The message
 * names the call and the library's own error string, e.g. "cuMemAlloc_v2 failed: out of memory
 * (CUDA_ERROR_OUT_OF_MEMORY = 2)".
 */
public final class CudaException extends RuntimeException {
  private final int status;

  public CudaException(String message) {
    this(message, 0);
  }

  public CudaException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** The library's status code, 0 when the failure was not a status (e.g. a missing library). */
  public int status() {
    return status;
  }
}
