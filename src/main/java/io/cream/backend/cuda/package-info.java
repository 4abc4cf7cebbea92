/**
 * The CUDA backend: {@link io.cream.backend.cuda.CudaBackend} implements the
 * {@link io.cream.backend.Backend} ops on one NVIDIA GPU through Java's FFM API, with no JNI:
 * bindings to the driver API (versioned symbols), NVRTC and cuBLAS, libraries found by searching
 * {@code CREAM_CUDA_LIB_DIR}, {@code LD_LIBRARY_PATH} and the usual folders. Kernels are the .cu
 * resources beside these classes, compiled by NVRTC for the device's architecture on first use
 * and cached in {@code $CREAM_CACHE/cubin} (default {@code ~/.cache/cream/cubin}). Storage is
 * float32; every reduction is deterministic (fixed order, no atomics); all work runs on one
 * stream; device memory comes from a caching allocator and is freed explicitly. Run the GPU tests
 * on a GPU machine with scripts/gpu-pack.sh then gpu-check.sh.
 */
package io.cream.backend.cuda;
