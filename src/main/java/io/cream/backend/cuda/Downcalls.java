package io.cream.backend.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** Binding of C functions by name (FFM downcall handles) shared by the CUDA library bindings. */
final class Downcalls {
  private static final Linker LINKER = Linker.nativeLinker();

  private Downcalls() {}

  /** The downcall handle of symbol in lib; a missing symbol throws naming the library. */
  static MethodHandle bind(NativeLibraries.Loaded lib, String symbol, FunctionDescriptor fd) {
    SymbolLookup s = lib.symbols();
    var address = s.find(symbol).orElseThrow(() -> new CudaException(
        "symbol " + symbol + " not found in " + lib.where() + "; the library is too old"));
    return LINKER.downcallHandle(address, fd);
  }

  /** The first of symbols that lib has (a newer versioned name first, then older ones). */
  static MethodHandle bindFirst(NativeLibraries.Loaded lib, FunctionDescriptor fd,
      String... symbols) {
    for (String symbol : symbols) {
      var address = lib.symbols().find(symbol);
      if (address.isPresent()) return LINKER.downcallHandle(address.get(), fd);
    }
    throw new CudaException("none of " + java.util.Arrays.toString(symbols) + " is in "
        + lib.where() + "; the library is too old");
  }

  /** Wraps what invokeExact may throw: CUDA errors pass through, anything else becomes one. */
  static RuntimeException rethrow(String call, Throwable t) {
    if (t instanceof RuntimeException r) return r;
    if (t instanceof Error e) throw e;
    return new CudaException(call + " could not be called: " + t);
  }
}
