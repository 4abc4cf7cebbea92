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
 * The CUDA driver API through FFM. Only versioned symbols where CUDA has several (the plain names
 * of cuMemAlloc and friends are legacy 32-bit entry points). Every status is checked: a failure
 * throws {@link CudaException} naming the call and the driver's error string. Handles (contexts,
 * streams, modules, functions, events) are opaque addresses; device pointers are longs.
 */
final class CudaDriver {
  private static final int CUDA_SUCCESS = 0;

  private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet,
      cuDeviceGetName, cuDeviceGetAttribute, cuDevicePrimaryCtxRetain, cuCtxSetCurrent,
      cuCtxSynchronize, cuMemGetInfo, cuMemAlloc, cuMemFree, cuMemAllocHost, cuMemFreeHost,
      cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync, cuMemsetD32Async,
      cuModuleLoadData, cuModuleGetFunction, cuFuncSetAttribute, cuLaunchKernel, cuStreamCreate,
      cuStreamSynchronize, cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventElapsedTime,
      cuEventDestroy, cuGetErrorString, cuGetErrorName;

  final String libraryPath;

  CudaDriver(NativeLibraries.Loaded lib) {
    libraryPath = lib.where();
    FunctionDescriptor statusOfInt = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    FunctionDescriptor statusOfPtr = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    cuInit = Downcalls.bind(lib, "cuInit", statusOfInt);
    cuDriverGetVersion = Downcalls.bind(lib, "cuDriverGetVersion", statusOfPtr);
    cuDeviceGetCount = Downcalls.bind(lib, "cuDeviceGetCount", statusOfPtr);
    cuDeviceGet = Downcalls.bind(lib, "cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    cuDeviceGetName = Downcalls.bind(lib, "cuDeviceGetName",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    cuDeviceGetAttribute = Downcalls.bind(lib, "cuDeviceGetAttribute",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    cuDevicePrimaryCtxRetain = Downcalls.bind(lib, "cuDevicePrimaryCtxRetain",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    cuCtxSetCurrent = Downcalls.bind(lib, "cuCtxSetCurrent", statusOfPtr);
    cuCtxSynchronize = Downcalls.bind(lib, "cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
    cuMemGetInfo = Downcalls.bind(lib, "cuMemGetInfo_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    cuMemAlloc = Downcalls.bind(lib, "cuMemAlloc_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    cuMemFree = Downcalls.bind(lib, "cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
    cuMemAllocHost = Downcalls.bind(lib, "cuMemAllocHost_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    cuMemFreeHost = Downcalls.bind(lib, "cuMemFreeHost", statusOfPtr);
    cuMemcpyHtoDAsync = Downcalls.bind(lib, "cuMemcpyHtoDAsync_v2",
        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
    cuMemcpyDtoHAsync = Downcalls.bind(lib, "cuMemcpyDtoHAsync_v2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    cuMemcpyDtoDAsync = Downcalls.bind(lib, "cuMemcpyDtoDAsync_v2",
        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
    cuMemsetD32Async = Downcalls.bind(lib, "cuMemsetD32Async",
        FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
    cuModuleLoadData = Downcalls.bind(lib, "cuModuleLoadData",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    cuModuleGetFunction = Downcalls.bind(lib, "cuModuleGetFunction",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    cuFuncSetAttribute = Downcalls.bind(lib, "cuFuncSetAttribute",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    cuLaunchKernel = Downcalls.bind(lib, "cuLaunchKernel", FunctionDescriptor.of(JAVA_INT,
        ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
        ADDRESS, ADDRESS));
    cuStreamCreate = Downcalls.bind(lib, "cuStreamCreate",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    cuStreamSynchronize = Downcalls.bind(lib, "cuStreamSynchronize", statusOfPtr);
    cuEventCreate = Downcalls.bind(lib, "cuEventCreate",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    cuEventRecord = Downcalls.bind(lib, "cuEventRecord",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    cuEventSynchronize = Downcalls.bind(lib, "cuEventSynchronize", statusOfPtr);
    cuEventElapsedTime = Downcalls.bindFirst(lib,
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
        "cuEventElapsedTime_v2", "cuEventElapsedTime");
    cuEventDestroy = Downcalls.bind(lib, "cuEventDestroy_v2", statusOfPtr);
    cuGetErrorString = Downcalls.bind(lib, "cuGetErrorString",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    cuGetErrorName = Downcalls.bind(lib, "cuGetErrorName",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  }

  // ---- status ----

  /** Throws naming the call and the driver's description of status, unless it is success. */
  void check(String call, int status) {
    if (status == CUDA_SUCCESS) return;
    throw new CudaException(call + " failed: " + describe(status), status);
  }

  /** "out of memory (CUDA_ERROR_OUT_OF_MEMORY = 2)". */
  String describe(int status) {
    return text(cuGetErrorString, status, "unknown error") + " ("
        + text(cuGetErrorName, status, "CUDA_ERROR_?") + " = " + status + ")";
  }

  private static String text(MethodHandle h, int status, String fallback) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int r = (int) h.invokeExact(status, out);
      MemorySegment s = out.get(ADDRESS, 0);
      if (r != CUDA_SUCCESS || s.equals(MemorySegment.NULL)) return fallback;
      return s.reinterpret(4096).getString(0);
    } catch (Throwable t) {
      return fallback;
    }
  }

  // ---- device and context ----

  void init() {
    try {
      check("cuInit", (int) cuInit.invokeExact(0));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuInit", t);
    }
  }

  int driverVersion() {
    return intOut("cuDriverGetVersion", cuDriverGetVersion);
  }

  int deviceCount() {
    return intOut("cuDeviceGetCount", cuDeviceGetCount);
  }

  int device(int ordinal) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check("cuDeviceGet(" + ordinal + ")", (int) cuDeviceGet.invokeExact(out, ordinal));
      return out.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuDeviceGet", t);
    }
  }

  String deviceName(int device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(256);
      check("cuDeviceGetName", (int) cuDeviceGetName.invokeExact(out, 256, device));
      return out.getString(0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuDeviceGetName", t);
    }
  }

  int attribute(int device, int attribute) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check("cuDeviceGetAttribute(" + attribute + ")",
          (int) cuDeviceGetAttribute.invokeExact(out, attribute, device));
      return out.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuDeviceGetAttribute", t);
    }
  }

  MemorySegment retainPrimaryContext(int device) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cuDevicePrimaryCtxRetain", (int) cuDevicePrimaryCtxRetain.invokeExact(out, device));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuDevicePrimaryCtxRetain", t);
    }
  }

  void setCurrent(MemorySegment context) {
    try {
      check("cuCtxSetCurrent", (int) cuCtxSetCurrent.invokeExact(context));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuCtxSetCurrent", t);
    }
  }

  void synchronizeContext() {
    try {
      check("cuCtxSynchronize", (int) cuCtxSynchronize.invokeExact());
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuCtxSynchronize", t);
    }
  }

  /** {free, total} bytes of device memory. */
  long[] memoryInfo() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
      check("cuMemGetInfo_v2", (int) cuMemGetInfo.invokeExact(free, total));
      return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemGetInfo_v2", t);
    }
  }

  // ---- memory ----

  /** A device allocation; the status is returned so the caller can free caches and retry. */
  long alloc(long bytes, int[] status) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_LONG);
      status[0] = (int) cuMemAlloc.invokeExact(out, bytes);
      return status[0] == CUDA_SUCCESS ? out.get(JAVA_LONG, 0) : 0L;
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemAlloc_v2", t);
    }
  }

  void free(long pointer) {
    try {
      check("cuMemFree_v2", (int) cuMemFree.invokeExact(pointer));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemFree_v2", t);
    }
  }

  /** Page-locked host memory of the given size, as a segment of that size. */
  MemorySegment allocHost(long bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cuMemAllocHost_v2(" + bytes + " bytes)", (int) cuMemAllocHost.invokeExact(out, bytes));
      return out.get(ADDRESS, 0).reinterpret(bytes);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemAllocHost_v2", t);
    }
  }

  void freeHost(MemorySegment host) {
    try {
      check("cuMemFreeHost", (int) cuMemFreeHost.invokeExact(host));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemFreeHost", t);
    }
  }

  void copyHostToDevice(long dst, MemorySegment src, long bytes, MemorySegment stream) {
    try {
      check("cuMemcpyHtoDAsync_v2", (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemcpyHtoDAsync_v2", t);
    }
  }

  void copyDeviceToHost(MemorySegment dst, long src, long bytes, MemorySegment stream) {
    try {
      check("cuMemcpyDtoHAsync_v2", (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemcpyDtoHAsync_v2", t);
    }
  }

  void copyDeviceToDevice(long dst, long src, long bytes, MemorySegment stream) {
    try {
      check("cuMemcpyDtoDAsync_v2", (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemcpyDtoDAsync_v2", t);
    }
  }

  /** Sets count 32-bit words at dst to bits. */
  void fill32(long dst, int bits, long count, MemorySegment stream) {
    try {
      check("cuMemsetD32Async", (int) cuMemsetD32Async.invokeExact(dst, bits, count, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuMemsetD32Async", t);
    }
  }

  // ---- modules and launches ----

  MemorySegment loadModule(MemorySegment image) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cuModuleLoadData", (int) cuModuleLoadData.invokeExact(out, image));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuModuleLoadData", t);
    }
  }

  MemorySegment function(MemorySegment module, String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cuModuleGetFunction(" + name + ")",
          (int) cuModuleGetFunction.invokeExact(out, module, a.allocateFrom(name)));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuModuleGetFunction", t);
    }
  }

  void setFunctionAttribute(MemorySegment function, int attribute, int value) {
    try {
      check("cuFuncSetAttribute(" + attribute + ", " + value + ")",
          (int) cuFuncSetAttribute.invokeExact(function, attribute, value));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuFuncSetAttribute", t);
    }
  }

  /** Returns the launch status (checked by the caller, which knows the kernel's name). */
  int launch(MemorySegment function, int gx, int gy, int gz, int bx, int by, int bz,
      int sharedBytes, MemorySegment stream, MemorySegment params) {
    try {
      return (int) cuLaunchKernel.invokeExact(function, gx, gy, gz, bx, by, bz, sharedBytes, stream,
          params, MemorySegment.NULL);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuLaunchKernel", t);
    }
  }

  // ---- streams and events ----

  MemorySegment createStream() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cuStreamCreate", (int) cuStreamCreate.invokeExact(out, 0));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuStreamCreate", t);
    }
  }

  void synchronize(MemorySegment stream) {
    try {
      check("cuStreamSynchronize", (int) cuStreamSynchronize.invokeExact(stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuStreamSynchronize", t);
    }
  }

  /** An event; timing disabled unless asked for (cheaper to record and wait on). */
  MemorySegment createEvent(boolean timing) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      int flags = timing ? 0 : 2; // CU_EVENT_DISABLE_TIMING
      check("cuEventCreate", (int) cuEventCreate.invokeExact(out, flags));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuEventCreate", t);
    }
  }

  void record(MemorySegment event, MemorySegment stream) {
    try {
      check("cuEventRecord", (int) cuEventRecord.invokeExact(event, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuEventRecord", t);
    }
  }

  void waitFor(MemorySegment event) {
    try {
      check("cuEventSynchronize", (int) cuEventSynchronize.invokeExact(event));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuEventSynchronize", t);
    }
  }

  float elapsedMillis(MemorySegment start, MemorySegment end) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_FLOAT);
      check("cuEventElapsedTime_v2", (int) cuEventElapsedTime.invokeExact(out, start, end));
      return out.get(JAVA_FLOAT, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuEventElapsedTime", t);
    }
  }

  void destroyEvent(MemorySegment event) {
    try {
      check("cuEventDestroy_v2", (int) cuEventDestroy.invokeExact(event));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cuEventDestroy_v2", t);
    }
  }

  private int intOut(String call, MethodHandle h) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check(call, (int) h.invokeExact(out));
      return out.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow(call, t);
    }
  }
}
