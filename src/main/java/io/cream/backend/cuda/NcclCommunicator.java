package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;

import io.cream.backend.Collective;
import io.cream.backend.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One rank of an NCCL communicator over the GPUs of a data-parallel run, one process (or thread)
 * per GPU. Sums are queued on the backend's own stream, so they are ordered after the backward
 * that produced the gradients and before the clipping and AdamW that read them; NCCL hands every
 * rank the same reduced bits, so replicas that start equal stay equal.
 *
 * <p>Rank 0 makes the id with {@link #newUniqueId()}, hands it to the other ranks (a rendezvous
 * file), and every rank calls {@link #join}. Both refuse to run unless NCCL_NVLS_ENABLE=0.
 */
public final class NcclCommunicator implements Collective {
  private static Boolean available;
  private static String unavailableReason = "";

  private final Nccl nccl;
  private final CudaBackend backend;
  private final CudaContext ctx;
  private final int rank;
  private final int world;
  private MemorySegment comm;
  /** Device buffer for host sums (float64 values in a float tensor of twice the length). */
  private CudaTensor scratch;

  private NcclCommunicator(Nccl nccl, CudaBackend backend, int rank, int world, MemorySegment comm) {
    this.nccl = nccl;
    this.backend = backend;
    this.ctx = backend.context();
    this.rank = rank;
    this.world = world;
    this.comm = comm;
  }

  /** True when libnccl loads (NCCL_NVLS_ENABLE is not looked at); never throws. */
  public static synchronized boolean isAvailable() {
    if (available == null) {
      try {
        Nccl.get();
        available = true;
      } catch (Throwable t) {
        available = false;
        unavailableReason = String.valueOf(t.getMessage());
      }
    }
    return available;
  }

  /** Why {@link #isAvailable()} is false ("" when it is true). */
  public static synchronized String unavailableReason() {
    isAvailable();
    return unavailableReason;
  }

  /** The NCCL version, e.g. "2.28.3". */
  public static String version() {
    return Nccl.get().version();
  }

  /** A new communicator id, made by rank 0 (it also starts rank 0's bootstrap listener). */
  public static byte[] newUniqueId() {
    Nccl.requireNvlsOff(System.getenv());
    return Nccl.get().uniqueId();
  }

  /**
   * Joins rank {@code rank} of {@code world} on the backend's GPU; blocks until all ranks have
   * joined with the same id.
   */
  public static NcclCommunicator join(CudaBackend backend, int rank, int world, byte[] uniqueId) {
    if (world < 1 || rank < 0 || rank >= world) {
      throw new IllegalArgumentException("rank " + rank + " of a world of " + world);
    }
    Nccl.requireNvlsOff(System.getenv());
    Nccl nccl = Nccl.get();
    backend.context().makeCurrent(); // NCCL takes the device of the thread's current context
    return new NcclCommunicator(nccl, backend, rank, world, nccl.commInitRank(world, uniqueId, rank));
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int world() {
    return world;
  }

  /** One grouped launch: every tensor summed in place on the backend's stream. */
  @Override
  public void allReduceSum(List<Tensor> tensors) {
    ensureOpen();
    ctx.makeCurrent();
    nccl.groupStart();
    try {
      for (Tensor t : tensors) {
        CudaTensor c = own(t);
        nccl.allReduceSum(c.pointer(), c.pointer(), c.size(), Nccl.FLOAT32, comm, ctx.stream);
      }
    } finally {
      nccl.groupEnd();
    }
  }

  @Override
  public double[] allReduceSum(double[] values) {
    ensureOpen();
    if (values.length == 0) return new double[0];
    ctx.makeCurrent();
    if (scratch == null || scratch.size() < 2L * values.length) {
      if (scratch != null) scratch.close();
      scratch = own(backend.zeros(1, 2 * Math.max(values.length, 8)));
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment host = a.allocateFrom(JAVA_DOUBLE, values);
      long p = scratch.pointer();
      ctx.staging.upload(host, p);
      nccl.allReduceSum(p, p, values.length, Nccl.FLOAT64, comm, ctx.stream);
      ctx.staging.download(p, host); // waits for the stream
      return host.toArray(JAVA_DOUBLE);
    }
  }

  /** Waits for queued work, then destroys the communicator (the backend stays open). */
  @Override
  public void close() {
    if (comm == null) return;
    try {
      ctx.synchronize();
      if (scratch != null) scratch.close();
    } finally {
      MemorySegment c = comm;
      comm = null;
      ctx.makeCurrent();
      nccl.commDestroy(c);
    }
  }

  private CudaTensor own(Tensor t) {
    if (t instanceof CudaTensor c && c.storage().owner == backend) return c;
    throw new IllegalArgumentException("all-reduce of a tensor not on " + backend.name() + ": " + t);
  }

  private void ensureOpen() {
    if (comm == null) throw new IllegalStateException("NCCL communicator used after close()");
  }
}
