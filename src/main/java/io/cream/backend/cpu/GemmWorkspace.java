package io.cream.backend.cpu;

/**
 * Per-thread scratch for {@link Gemm}: the two packed-A blocks of a call (owned by the calling
 * thread, read by all workers), the packed-B panel a worker fills for its own tasks, and the
 * gathered rows of the skinny path. Arrays only grow, so a steady stream of calls allocates
 * nothing.
 */
final class GemmWorkspace {
  private static final ThreadLocal<GemmWorkspace> OF_THREAD =
      ThreadLocal.withInitial(GemmWorkspace::new);

  private final float[][] packedA = {new float[0], new float[0]};
  private float[] packedB = new float[0];
  private float[] rows = new float[0];

  private GemmWorkspace() {}

  static GemmWorkspace ofCurrentThread() {
    return OF_THREAD.get();
  }

  /** One of two packed-A buffers (which = 0 or 1), so one can be filled while the other is read. */
  float[] packedA(int which, int size) {
    if (packedA[which].length < size) packedA[which] = new float[size];
    return packedA[which];
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
