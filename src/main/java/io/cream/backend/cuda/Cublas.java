package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * cuBLAS through FFM: one handle bound to the backend's stream and cublasGemmEx. cuBLAS is
 * column-major; {@link CudaLinear} maps the row-major products onto it. Device pointers are passed
 * as 64-bit integers (the same register class as a pointer in the x86-64 and AArch64 ABIs).
 */
final class Cublas {
  static final int OP_N = 0, OP_T = 1;
  static final int R_32F = 0, R_16BF = 14;
  /** fp32 inputs, fp32 arithmetic: no TF32, so results match the CPU to float rounding. */
  static final int COMPUTE_32F = 68;
  /** fp32 storage with TF32 tensor-core products (~1e-3 relative error, much faster). */
  static final int COMPUTE_32F_FAST_TF32 = 77;
  private static final int GEMM_DEFAULT = -1;

  private final MethodHandle cublasCreate, cublasSetStream, cublasGemmEx, cublasGetStatusString,
      cublasSetWorkspace;
  private final MemorySegment handle;
  /** Host scalars alpha = 1 and beta ∈ {0, 1} (cuBLAS's default host pointer mode). */
  private final MemorySegment one, zero;

  final String libraryPath;

  Cublas(NativeLibraries.Loaded lib, MemorySegment stream) {
    libraryPath = lib.where();
    cublasCreate = Downcalls.bind(lib, "cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    cublasSetStream = Downcalls.bind(lib, "cublasSetStream_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    cublasGemmEx = Downcalls.bind(lib, "cublasGemmEx", FunctionDescriptor.of(JAVA_INT,
        ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
        ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT,
        ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    cublasGetStatusString = Downcalls.bind(lib, "cublasGetStatusString",
        FunctionDescriptor.of(ADDRESS, JAVA_INT));
    cublasSetWorkspace = Downcalls.bind(lib, "cublasSetWorkspace_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    Arena global = Arena.global();
    one = global.allocateFrom(JAVA_FLOAT, 1f);
    zero = global.allocateFrom(JAVA_FLOAT, 0f);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cublasCreate_v2", (int) cublasCreate.invokeExact(out));
      handle = out.get(ADDRESS, 0);
      check("cublasSetStream_v2", (int) cublasSetStream.invokeExact(handle, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cublasCreate_v2", t);
    }
  }

  /**
   * Column-major C[m × n] = op(A)·op(B) + (accumulate ? C : 0), all fp32 in device memory, with
   * leading dimensions lda, ldb, ldc.
   */
  void gemm(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb,
      boolean accumulate, long c, int ldc, int computeType) {
    gemm(transA, transB, m, n, k, a, lda, b, ldb, R_32F, accumulate, c, ldc, computeType);
  }

  /**
   * The same with A and B of type abType (R_32F, or R_16BF with COMPUTE_32F: bf16 tensor-core
   * products accumulated in fp32); C stays fp32, so accumulate adds to fp32 values.
   */
  void gemm(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb,
      int abType, boolean accumulate, long c, int ldc, int computeType) {
    gemm(transA, transB, m, n, k, a, lda, b, ldb, abType, accumulate, c, R_32F, ldc, computeType);
  }

  /** The same with C of type cType (R_32F, or R_16BF: a bf16 result rounded by cuBLAS). */
  void gemm(int transA, int transB, int m, int n, int k, long a, int lda, long b, int ldb,
      int abType, boolean accumulate, long c, int cType, int ldc, int computeType) {
    // A local, not a conditional expression: invokeExact takes the static type of each argument.
    MemorySegment beta = accumulate ? one : zero;
    try {
      check("cublasGemmEx(m=" + m + ", n=" + n + ", k=" + k + ")", (int) cublasGemmEx.invokeExact(
          handle, transA, transB, m, n, k, one, a, abType, lda, b, abType, ldb, beta, c, cType,
          ldc, computeType, GEMM_DEFAULT));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cublasGemmEx", t);
    }
  }

  /**
   * Gives cuBLAS a device workspace of the given size (its faster Hopper kernels want up to 32
   * MiB; without one it uses a small default pool). The memory must outlive the handle's use.
   */
  void setWorkspace(long pointer, long bytes) {
    try {
      check("cublasSetWorkspace_v2", (int) cublasSetWorkspace.invokeExact(handle, pointer, bytes));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cublasSetWorkspace_v2", t);
    }
  }

  private void check(String call, int status) {
    if (status == 0) return;
    String text;
    try {
      MemorySegment s = (MemorySegment) cublasGetStatusString.invokeExact(status);
      text = s.equals(MemorySegment.NULL) ? "unknown" : s.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      text = "cuBLAS status";
    }
    throw new CudaException(call + " failed: " + text + " (" + status + ")", status);
  }
}
