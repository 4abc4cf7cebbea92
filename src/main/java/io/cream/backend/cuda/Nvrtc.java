package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * NVRTC through FFM: compiles a self-contained CUDA C++ source (no host headers) to a cubin for a
 * real architecture (sm_XY), or to PTX for a virtual one (compute_XY) that the driver finishes.
 * A compile error throws with NVRTC's log, which names the file and line.
 */
final class Nvrtc {
  private static final int NVRTC_SUCCESS = 0;

  private final MethodHandle nvrtcVersion, nvrtcCreateProgram, nvrtcCompileProgram,
      nvrtcGetProgramLogSize, nvrtcGetProgramLog, nvrtcGetCUBINSize, nvrtcGetCUBIN,
      nvrtcGetPTXSize, nvrtcGetPTX, nvrtcDestroyProgram, nvrtcGetErrorString;

  final String libraryPath;

  Nvrtc(NativeLibraries.Loaded lib) {
    libraryPath = lib.where();
    FunctionDescriptor progAndSize = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    nvrtcVersion = Downcalls.bind(lib, "nvrtcVersion", progAndSize);
    nvrtcCreateProgram = Downcalls.bind(lib, "nvrtcCreateProgram", FunctionDescriptor.of(JAVA_INT,
        ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
    nvrtcCompileProgram = Downcalls.bind(lib, "nvrtcCompileProgram",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    nvrtcGetProgramLogSize = Downcalls.bind(lib, "nvrtcGetProgramLogSize", progAndSize);
    nvrtcGetProgramLog = Downcalls.bind(lib, "nvrtcGetProgramLog", progAndSize);
    nvrtcGetCUBINSize = Downcalls.bind(lib, "nvrtcGetCUBINSize", progAndSize);
    nvrtcGetCUBIN = Downcalls.bind(lib, "nvrtcGetCUBIN", progAndSize);
    nvrtcGetPTXSize = Downcalls.bind(lib, "nvrtcGetPTXSize", progAndSize);
    nvrtcGetPTX = Downcalls.bind(lib, "nvrtcGetPTX", progAndSize);
    nvrtcDestroyProgram = Downcalls.bind(lib, "nvrtcDestroyProgram",
        FunctionDescriptor.of(JAVA_INT, ADDRESS));
    nvrtcGetErrorString = Downcalls.bind(lib, "nvrtcGetErrorString",
        FunctionDescriptor.of(ADDRESS, JAVA_INT));
  }

  /** "major.minor" of the NVRTC library (part of the kernel cache key). */
  String version() {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
      check("nvrtcVersion", (int) nvrtcVersion.invokeExact(major, minor));
      return major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw Downcalls.rethrow("nvrtcVersion", t);
    }
  }

  /** The compiled image: a cubin for "sm_XY", PTX text (NUL-terminated) for "compute_XY". */
  byte[] compile(String source, String fileName, String arch, List<String> extraOptions) {
    boolean cubin = arch.startsWith("sm_");
    try (Arena a = Arena.ofConfined()) {
      MemorySegment progOut = a.allocate(ADDRESS);
      check("nvrtcCreateProgram(" + fileName + ")", (int) nvrtcCreateProgram.invokeExact(progOut,
          a.allocateFrom(source), a.allocateFrom(fileName), 0, MemorySegment.NULL,
          MemorySegment.NULL));
      MemorySegment prog = progOut.get(ADDRESS, 0);
      try {
        List<String> options = new java.util.ArrayList<>();
        options.add("--gpu-architecture=" + arch);
        options.addAll(extraOptions);
        MemorySegment optionArray = a.allocate(ADDRESS, options.size());
        for (int i = 0; i < options.size(); i++) {
          optionArray.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
        }
        int status = (int) nvrtcCompileProgram.invokeExact(prog, options.size(), optionArray);
        if (status != NVRTC_SUCCESS) {
          throw new CudaException("nvrtcCompileProgram(" + fileName + ", " + options + ") failed: "
              + errorString(status) + "\n" + log(a, prog), status);
        }
        MemorySegment size = a.allocate(JAVA_LONG);
        check("nvrtcGet" + (cubin ? "CUBIN" : "PTX") + "Size", cubin
            ? (int) nvrtcGetCUBINSize.invokeExact(prog, size)
            : (int) nvrtcGetPTXSize.invokeExact(prog, size));
        MemorySegment image = a.allocate(size.get(JAVA_LONG, 0));
        check("nvrtcGet" + (cubin ? "CUBIN" : "PTX"), cubin
            ? (int) nvrtcGetCUBIN.invokeExact(prog, image)
            : (int) nvrtcGetPTX.invokeExact(prog, image));
        return image.toArray(JAVA_BYTE);
      } finally {
        int ignored = (int) nvrtcDestroyProgram.invokeExact(progOut);
      }
    } catch (Throwable t) {
      throw Downcalls.rethrow("nvrtc", t);
    }
  }

  private String log(Arena a, MemorySegment prog) throws Throwable {
    MemorySegment size = a.allocate(JAVA_LONG);
    if ((int) nvrtcGetProgramLogSize.invokeExact(prog, size) != NVRTC_SUCCESS) return "(no log)";
    MemorySegment text = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
    if ((int) nvrtcGetProgramLog.invokeExact(prog, text) != NVRTC_SUCCESS) return "(no log)";
    return text.getString(0);
  }

  private void check(String call, int status) {
    if (status != NVRTC_SUCCESS) {
      throw new CudaException(call + " failed: " + errorString(status), status);
    }
  }

  private String errorString(int status) {
    try {
      MemorySegment s = (MemorySegment) nvrtcGetErrorString.invokeExact(status);
      String text = s.equals(MemorySegment.NULL) ? "unknown" : s.reinterpret(1024).getString(0);
      return text + " (" + status + ")";
    } catch (Throwable t) {
      return "NVRTC error " + status;
    }
  }
}
