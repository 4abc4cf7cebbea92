package io.cream.backend.cpu;

/**
 * Per-thread scratch for {@link Gemm}: the packed A and B panels (shared by the pool's workers
 * during one call, owned by the calling thread) and the gathered rows of the skinny path. Arrays
 * only grow, so a steady stream of calls allocates nothing.
 */
final class GemmWorkspace {
  private static final ThreadLocal<GemmWorkspace> OF_THREAD =
      ThreadLocal.withInitial(GemmWorkspace::new);

  private float[] packedA = new float[0];
  private float[] packedB = new float[0];
  private float[] rows = new float[0];

  private GemmWorkspace() {}

  static GemmWorkspace ofCurrentThread() {
    return OF_THREAD.get();
  }

  float[] packedA(int size) {
    if (packedA.length < size) packedA = new float[size];
    return packedA;
  }

  float[] packedB(int size) {
    if (packedB.length < size) packedB = new float[size];
    return packedB;
  }

  float[] rows(int size) {
    if (rows.length < size) rows = new float[size];
    return rows;
  }
}
