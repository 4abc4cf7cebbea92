package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * NCCL (libnccl.so.2) through FFM: the unique id, communicator creation and destruction, in-place
 * sum all-reduce, group calls, version and error strings. Every status is checked and a failure
 * throws {@link CudaException} naming the call, e.g. "ncclAllReduce failed: invalid argument
 * (ncclInvalidArgument = 4)". The library is searched like the other CUDA libraries
 * ({@link NativeLibraries}) and loaded once per process.
 *
 * <p>NVLink multicast (NVLS) can put GPUs that others share out of service, so no id is made and
 * no communicator joined unless {@code NCCL_NVLS_ENABLE=0} is in the environment.
 */
final class Nccl {
  static final List<String> NAMES = List.of("libnccl.so.2", "libnccl.so");
  static final int UNIQUE_ID_BYTES = 128;
  static final int FLOAT32 = 7, FLOAT64 = 8;
  static final int SUM = 0;
  static final String NVLS_VARIABLE = "NCCL_NVLS_ENABLE";

  /** ncclUniqueId: a struct of 128 opaque bytes, passed by value to ncclCommInitRank. */
  private static final MemoryLayout UNIQUE_ID = MemoryLayout.structLayout(
      MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE).withName("internal"));
  private static final String[] RESULT_NAMES = {"ncclSuccess", "ncclUnhandledCudaError",
      "ncclSystemError", "ncclInternalError", "ncclInvalidArgument", "ncclInvalidUsage",
      "ncclRemoteError", "ncclInProgress"};

  private static Nccl instance;
  private static RuntimeException failure;

  private final MethodHandle getUniqueId, commInitRank, allReduce, commDestroy, groupStart,
      groupEnd, getErrorString, getVersion;
  final String libraryPath;

  private Nccl(NativeLibraries.Loaded lib) {
    libraryPath = lib.where();
    getUniqueId = Downcalls.bind(lib, "ncclGetUniqueId", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    commInitRank = Downcalls.bind(lib, "ncclCommInitRank",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
    allReduce = Downcalls.bind(lib, "ncclAllReduce", FunctionDescriptor.of(JAVA_INT,
        JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    commDestroy = Downcalls.bind(lib, "ncclCommDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    groupStart = Downcalls.bind(lib, "ncclGroupStart", FunctionDescriptor.of(JAVA_INT));
    groupEnd = Downcalls.bind(lib, "ncclGroupEnd", FunctionDescriptor.of(JAVA_INT));
    getErrorString = Downcalls.bind(lib, "ncclGetErrorString",
        FunctionDescriptor.of(ADDRESS, JAVA_INT));
    getVersion = Downcalls.bind(lib, "ncclGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  }

  /** The library, loaded once; throws CudaException naming where it was looked for. */
  static synchronized Nccl get() {
    if (instance != null) return instance;
    if (failure != null) throw failure;
    try {
      instance = new Nccl(NativeLibraries.load("NCCL", NAMES));
      return instance;
    } catch (RuntimeException e) {
      failure = e;
      throw e;
    } catch (LinkageError e) {
      failure = new CudaException("NCCL bindings cannot be linked: " + e);
      throw failure;
    }
  }

  /**
   * Refuses to go on unless NCCL_NVLS_ENABLE is "0" in env: NVLink multicast is off by rule on
   * shared machines, and NCCL would turn it on by itself where the hardware has it.
   */
  static void requireNvlsOff(Map<String, String> env) {
    String value = env.get(NVLS_VARIABLE);
    if (!"0".equals(value)) {
      throw new CudaException("NCCL not started: " + NVLS_VARIABLE + " is "
          + (value == null ? "unset" : "'" + value + "'") + ", and NVLink multicast can put shared"
          + " GPUs out of service; set " + NVLS_VARIABLE + "=0 in the environment (./cream train"
          + " --devices does this for its workers)");
    }
  }

  /** "2.28.3" from ncclGetVersion's code (major·10000 + minor·100 + patch since 2.9). */
  String version() {
    int code;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(JAVA_INT);
      check("ncclGetVersion", (int) getVersion.invokeExact(out));
      code = out.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclGetVersion", t);
    }
    return code >= 10000 ? code / 10000 + "." + code / 100 % 100 + "." + code % 100
        : code / 1000 + "." + code / 100 % 10 + "." + code % 100;
  }

  /** A fresh ncclUniqueId (made by rank 0 and handed to every rank). */
  byte[] uniqueId() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment id = a.allocate(UNIQUE_ID);
      check("ncclGetUniqueId", (int) getUniqueId.invokeExact(id));
      return id.toArray(JAVA_BYTE);
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclGetUniqueId", t);
    }
  }

  /** Joins the communicator of world ranks named by id; blocks until every rank has joined. */
  MemorySegment commInitRank(int world, byte[] id, int rank) {
    if (id.length != UNIQUE_ID_BYTES) {
      throw new IllegalArgumentException("an NCCL unique id has " + UNIQUE_ID_BYTES
          + " bytes, got " + id.length);
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(ADDRESS);
      MemorySegment idValue = a.allocate(UNIQUE_ID);
      MemorySegment.copy(id, 0, idValue, JAVA_BYTE, 0, id.length);
      check("ncclCommInitRank(rank " + rank + " of " + world + ")",
          (int) commInitRank.invokeExact(out, world, idValue, rank));
      return out.get(ADDRESS, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclCommInitRank", t);
    }
  }

  /** Queues recv ← Σ_ranks send (count elements of datatype) on stream; send may equal recv. */
  void allReduceSum(long send, long recv, long count, int datatype, MemorySegment comm,
      MemorySegment stream) {
    try {
      check("ncclAllReduce(" + count + " elements)",
          (int) allReduce.invokeExact(send, recv, count, datatype, SUM, comm, stream));
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclAllReduce", t);
    }
  }

  void groupStart() {
    try {
      check("ncclGroupStart", (int) groupStart.invokeExact());
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclGroupStart", t);
    }
  }

  void groupEnd() {
    try {
      check("ncclGroupEnd", (int) groupEnd.invokeExact());
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclGroupEnd", t);
    }
  }

  void commDestroy(MemorySegment comm) {
    try {
      check("ncclCommDestroy", (int) commDestroy.invokeExact(comm));
    } catch (Throwable t) {
      throw Downcalls.rethrow("ncclCommDestroy", t);
    }
  }

  private void check(String call, int status) {
    if (status == 0) return;
    throw new CudaException(call + " failed: " + describe(status), status);
  }

  /** "invalid argument (ncclInvalidArgument = 4)". */
  String describe(int status) {
    String text;
    try {
      MemorySegment s = (MemorySegment) getErrorString.invokeExact(status);
      text = s.equals(MemorySegment.NULL) ? "unknown error" : s.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      text = "unknown error";
    }
    String name = status >= 0 && status < RESULT_NAMES.length ? RESULT_NAMES[status] : "nccl?";
    return text + " (" + name + " = " + status + ")";
  }
}
