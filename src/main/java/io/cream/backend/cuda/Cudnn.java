package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuDNN's backend (graph) API through FFM: one handle bound to the backend's stream, and the nine
 * C functions that build, plan and run an operation graph. Only what {@link CudnnGraph} needs is
 * bound. The numeric values of cuDNN's enums are the ABI of cudnn_backend.h (cuDNN 9), checked
 * against the library's own API log (CUDNN_LOGLEVEL_DBG=3) on the GPU machine.
 */
final class Cudnn {
  /** Sonames of cuDNN 9; pip installs (nvidia-cudnn-cu13) keep them in site-packages/nvidia/cudnn/lib. */
  static final List<String> NAMES = List.of("libcudnn.so.9", "libcudnn.so");
  /** A folder searched for cuDNN before the CUDA folders (e.g. a Python wheel's lib folder). */
  static final String LIB_DIR_VARIABLE = "CREAM_CUDNN_LIB_DIR";

  // cudnnBackendDescriptorType_t
  static final int POINTWISE = 0, ENGINECFG = 3, ENGINEHEUR = 4, EXECUTION_PLAN = 5,
      OPERATION_POINTWISE = 13, OPERATIONGRAPH = 15, VARIANT_PACK = 16, TENSOR = 17, MATMUL = 18,
      OPERATION_MATMUL = 19, REDUCTION = 21, OPERATION_REDUCTION = 22, OPERATION_RESHAPE = 31;
  // cudnnBackendAttributeType_t
  static final int TYPE_HANDLE = 0, TYPE_DATA_TYPE = 1, TYPE_BOOLEAN = 2, TYPE_INT64 = 3,
      TYPE_FLOAT = 4, TYPE_DOUBLE = 5, TYPE_VOID_PTR = 6, TYPE_HEUR_MODE = 8, TYPE_POINTWISE_MODE = 14,
      TYPE_BACKEND_DESCRIPTOR = 15, TYPE_REDUCTION_OPERATOR = 18;
  // cudnnDataType_t
  static final int DATA_FLOAT = 0, DATA_INT32 = 4, DATA_BFLOAT16 = 9, DATA_BOOLEAN = 11;
  // cudnnBackendAttributeName_t
  static final int POINTWISE_MODE = 0, POINTWISE_MATH_PREC = 1, POINTWISE_AXIS = 9,
      ENGINEHEUR_MODE = 200, ENGINEHEUR_OPERATION_GRAPH = 201, ENGINEHEUR_RESULTS = 202,
      EXECUTION_PLAN_HANDLE = 400, EXECUTION_PLAN_ENGINE_CONFIG = 401,
      EXECUTION_PLAN_WORKSPACE_SIZE = 402, OP_POINTWISE_PW_DESCRIPTOR = 750,
      OP_POINTWISE_XDESC = 751, OP_POINTWISE_BDESC = 752, OP_POINTWISE_YDESC = 753,
      OP_POINTWISE_ALPHA1 = 754, OP_POINTWISE_ALPHA2 = 755, OP_POINTWISE_TDESC = 758,
      OPERATIONGRAPH_HANDLE = 800, OPERATIONGRAPH_OPS = 801, TENSOR_BYTE_ALIGNMENT = 900,
      TENSOR_DATA_TYPE = 901, TENSOR_DIMENSIONS = 902, TENSOR_STRIDES = 903,
      TENSOR_UNIQUE_ID = 906, TENSOR_IS_VIRTUAL = 907, TENSOR_IS_BY_VALUE = 908,
      VARIANT_PACK_UNIQUE_IDS = 1000, VARIANT_PACK_DATA_POINTERS = 1001,
      VARIANT_PACK_WORKSPACE = 1003, MATMUL_COMP_TYPE = 1500, OP_MATMUL_ADESC = 1520,
      OP_MATMUL_BDESC = 1521, OP_MATMUL_CDESC = 1522, OP_MATMUL_DESC = 1523,
      REDUCTION_OPERATOR = 1600, REDUCTION_COMP_TYPE = 1601, REDUCTION_IS_DETERMINISTIC = 1602,
      OP_REDUCTION_XDESC = 1610, OP_REDUCTION_YDESC = 1611, OP_REDUCTION_DESC = 1612,
      OP_RESHAPE_XDESC = 2200, OP_RESHAPE_YDESC = 2201;
  // cudnnPointwiseMode_t
  static final int PW_ADD = 0, PW_MUL = 1, PW_DIV = 6, PW_SUB = 9, PW_EXP = 13, PW_LOG = 15,
      PW_IDENTITY = 21, PW_CMP_GE = 303, PW_GEN_INDEX = 501, PW_BINARY_SELECT = 601;
  // cudnnReduceTensorOp_t
  static final int REDUCE_ADD = 0, REDUCE_MAX = 3;
  /** cudnnBackendHeurMode_t CUDNN_HEUR_MODE_A. */
  static final int HEUR_MODE_A = 3;
  private static final int SUCCESS = 0;

  private final MethodHandle create, setAttribute, getAttribute, finalizeDescriptor, execute,
      destroy, errorString, lastError;
  final MemorySegment handle;
  final long version;
  final String libraryPath;

  /** One handle per device context (a handle belongs to the device current at its creation). */
  private static final java.util.Map<CudaContext, Cudnn> HANDLES = new java.util.HashMap<>();
  private static NativeLibraries.Loaded library;
  private static String unavailable;

  /**
   * cuDNN bound to ctx's stream, or null when no cuDNN 9 loads (the reason is in {@link
   * #unavailableReason()}). ctx must be current on the calling thread (the backend's
   * constructor makes it so).
   */
  static synchronized Cudnn open(CudaContext ctx) {
    if (unavailable != null) return null;
    Cudnn c = HANDLES.get(ctx);
    if (c != null) return c;
    try {
      if (library == null) library = NativeLibraries.load("cuDNN", NAMES, LIB_DIR_VARIABLE);
      c = new Cudnn(library, ctx.stream);
      HANDLES.put(ctx, c);
      return c;
    } catch (CudaException e) {
      unavailable = e.getMessage();
      return null;
    }
  }

  static synchronized String unavailableReason() {
    return unavailable;
  }

  private Cudnn(NativeLibraries.Loaded lib, MemorySegment stream) {
    libraryPath = lib.where();
    MethodHandle getVersion = Downcalls.bind(lib, "cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));
    MethodHandle cudnnCreate = Downcalls.bind(lib, "cudnnCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    MethodHandle setStream = Downcalls.bind(lib, "cudnnSetStream",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    create = Downcalls.bind(lib, "cudnnBackendCreateDescriptor",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    setAttribute = Downcalls.bind(lib, "cudnnBackendSetAttribute",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    getAttribute = Downcalls.bind(lib, "cudnnBackendGetAttribute",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
    finalizeDescriptor = Downcalls.bind(lib, "cudnnBackendFinalize",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    execute = Downcalls.bind(lib, "cudnnBackendExecute",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    destroy = Downcalls.bind(lib, "cudnnBackendDestroyDescriptor",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    errorString = Downcalls.bind(lib, "cudnnGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    lastError = Downcalls.bind(lib, "cudnnGetLastErrorString",
        FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG));
    try (Arena a = Arena.ofConfined()) {
      version = (long) getVersion.invokeExact();
      if (version < 90000) {
        throw new CudaException("cuDNN " + version + " at " + libraryPath + " is older than 9.0");
      }
      MemorySegment out = a.allocate(ADDRESS);
      check("cudnnCreate", (int) cudnnCreate.invokeExact(out));
      handle = out.get(ADDRESS, 0);
      check("cudnnSetStream", (int) setStream.invokeExact(handle, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnCreate", t);
    }
  }

  /** A new backend descriptor of the given type; the caller destroys it. */
  MemorySegment create(int type) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      check("cudnnBackendCreateDescriptor(" + type + ")", (int) create.invokeExact(type, out));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendCreateDescriptor", t);
    }
  }

  void setLongs(MemorySegment d, int name, int type, long... values) {
    try (Arena a = Arena.ofConfined()) {
      set(d, name, type, values.length, a.allocateFrom(JAVA_LONG, values));
    }
  }

  void setInt(MemorySegment d, int name, int type, int value) {
    try (Arena a = Arena.ofConfined()) {
      set(d, name, type, 1, a.allocateFrom(JAVA_INT, value));
    }
  }

  void setBoolean(MemorySegment d, int name, boolean value) {
    try (Arena a = Arena.ofConfined()) {
      // cudnn's bool is a C bool (one byte).
      MemorySegment b = a.allocate(1);
      b.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) (value ? 1 : 0));
      set(d, name, TYPE_BOOLEAN, 1, b);
    }
  }

  void setFloat(MemorySegment d, int name, float value) {
    try (Arena a = Arena.ofConfined()) {
      set(d, name, TYPE_FLOAT, 1, a.allocateFrom(JAVA_FLOAT, value));
    }
  }

  void setDescriptors(MemorySegment d, int name, MemorySegment... values) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment arr = a.allocate(ADDRESS, values.length);
      for (int i = 0; i < values.length; i++) arr.setAtIndex(ADDRESS, i, values[i]);
      set(d, name, TYPE_BACKEND_DESCRIPTOR, values.length, arr);
    }
  }

  void setHandle(MemorySegment d, int name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment arr = a.allocate(ADDRESS);
      arr.set(ADDRESS, 0, handle);
      set(d, name, TYPE_HANDLE, 1, arr);
    }
  }

  /** Raw form: count elements of the given attribute type at values. */
  void set(MemorySegment d, int name, int type, long count, MemorySegment values) {
    try {
      check("cudnnBackendSetAttribute(" + name + ")",
          (int) setAttribute.invokeExact(d, name, type, count, values));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendSetAttribute", t);
    }
  }

  /** Finalizes d; failures throw with cuDNN's own last error message. */
  void finish(MemorySegment d, String what) {
    int status = finalizeStatus(d);
    if (status != SUCCESS) throw failure("cudnnBackendFinalize(" + what + ")", status);
  }

  /** Finalizes d and returns the status (0 = success) instead of throwing. */
  int finalizeStatus(MemorySegment d) {
    try {
      return (int) finalizeDescriptor.invokeExact(d);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendFinalize", t);
    }
  }

  /** The engine configurations the heuristics descriptor ranks, best first (created here). */
  MemorySegment[] engineConfigs(MemorySegment heuristics) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_LONG);
      check("cudnnBackendGetAttribute(ENGINEHEUR_RESULTS count)", (int) getAttribute.invokeExact(
          heuristics, ENGINEHEUR_RESULTS, TYPE_BACKEND_DESCRIPTOR, 0L, count, MemorySegment.NULL));
      int n = (int) count.get(JAVA_LONG, 0);
      MemorySegment arr = a.allocate(ADDRESS, Math.max(1, n));
      MemorySegment[] configs = new MemorySegment[n];
      for (int i = 0; i < n; i++) {
        configs[i] = create(ENGINECFG);
        arr.setAtIndex(ADDRESS, i, configs[i]);
      }
      check("cudnnBackendGetAttribute(ENGINEHEUR_RESULTS)", (int) getAttribute.invokeExact(
          heuristics, ENGINEHEUR_RESULTS, TYPE_BACKEND_DESCRIPTOR, (long) n, count, arr));
      return configs;
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendGetAttribute", t);
    }
  }

  long workspaceSize(MemorySegment plan) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment count = a.allocate(JAVA_LONG);
      MemorySegment value = a.allocate(JAVA_LONG);
      check("cudnnBackendGetAttribute(EXECUTION_PLAN_WORKSPACE_SIZE)", (int) getAttribute
          .invokeExact(plan, EXECUTION_PLAN_WORKSPACE_SIZE, TYPE_INT64, 1L, count, value));
      return value.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendGetAttribute", t);
    }
  }

  void execute(MemorySegment plan, MemorySegment variantPack) {
    try {
      check("cudnnBackendExecute", (int) execute.invokeExact(handle, plan, variantPack));
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendExecute", t);
    }
  }

  void destroy(MemorySegment d) {
    try {
      int ignored = (int) destroy.invokeExact(d);
    } catch (Throwable t) {
      throw Downcalls.rethrow("cudnnBackendDestroyDescriptor", t);
    }
  }

  private void check(String call, int status) {
    if (status != SUCCESS) throw failure(call, status);
  }

  /** A CudaException with the status name and cuDNN's last error message. */
  CudaException failure(String call, int status) {
    String name, detail = "";
    try (Arena a = Arena.ofConfined()) {
      name = ((MemorySegment) errorString.invokeExact(status)).reinterpret(256).getString(0);
      MemorySegment buf = a.allocate(1024);
      lastError.invokeExact(buf, 1024L);
      detail = buf.getString(0);
    } catch (Throwable t) {
      name = "status " + status;
    }
    return new CudaException(call + " failed: " + name + (detail.isBlank() ? "" : " (" + detail.strip() + ")"));
  }
}
