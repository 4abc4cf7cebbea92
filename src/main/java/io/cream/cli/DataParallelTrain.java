package io.cream.cli;

import io.cream.backend.cuda.CudaBackend;
import io.cream.backend.cuda.NcclCommunicator;
import io.cream.backend.cuda.Precision;
import io.cream.train.Rendezvous;
import io.cream.train.TrainOptions;
import io.cream.train.Trainer;
import io.cream.train.WorkerGroup;
import io.cream.util.UserError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `train --device cuda --devices 0,1,...`: data parallel over NCCL, one process per GPU. The
 * launching process checks the GPUs and NCCL, then re-runs its own command line once per GPU with
 * the hidden flags --rank R --world W --rendezvous FILE (and NCCL_NVLS_ENABLE=0) and supervises
 * the workers ({@link WorkerGroup}). Each worker opens its GPU (--devices' R-th entry), rank 0
 * publishes the NCCL id in the rendezvous file, the others wait for it, and all train as ranks of
 * one group ({@link Trainer}). The global batch is batch × grad-accum × GPUs.
 */
final class DataParallelTrain {
  /** Workers inherit this environment; NVLink multicast stays off (shared hosts). */
  static final Map<String, String> WORKER_ENV = Map.of("NCCL_NVLS_ENABLE", "0");
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private DataParallelTrain() {}

  /** The launching process: checks, starts one worker per GPU, waits; returns the exit code. */
  static int launch(DeviceList ids, TrainOptions o, List<String> programArgs, PrintStream err)
      throws IOException, InterruptedException {
    requireGpus(ids);
    if (!NcclCommunicator.isAvailable()) {
      throw new UserError("--devices " + ids + ": NCCL is not available ("
          + NcclCommunicator.unavailableReason() + "); install NCCL 2 (libnccl.so.2) or set"
          + " CREAM_CUDA_LIB_DIR to its folder, or drop --devices to train on one GPU");
    }
    int world = ids.size();
    err.printf("cream: training on GPUs %s, one worker process each; global batch %d × %d × %d = %d"
        + " sequences per step%n", ids, o.batch(), o.gradAccum(), world, o.globalBatch() * world);
    Path dir = Files.createTempDirectory("cream-rendezvous-");
    Path file = dir.resolve("nccl-id");
    List<String> prefix = SelfCommand.javaPrefix(programArgs);
    List<WorkerGroup.Worker> workers = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      List<String> cmd = new ArrayList<>(prefix);
      cmd.addAll(programArgs);
      cmd.addAll(List.of("--rank", String.valueOf(r), "--world", String.valueOf(world),
          "--rendezvous", file.toString()));
      workers.add(new WorkerGroup.Worker("rank " + r + " (GPU " + ids.get(r) + ")",
          "[rank " + r + "] ", cmd, r == 0));
    }
    try {
      return WorkerGroup.run(workers, WORKER_ENV, System.out, err, STOP_GRACE);
    } finally {
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
  }

  /** One worker: rank of ids.size() ranks, on GPU ids.get(rank). */
  static int work(DeviceList ids, int rank, int world, Path rendezvous, Duration timeout,
      Precision precision, TrainOptions o, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    UserError.require(world == ids.size() && rank >= 0 && rank < world && rendezvous != null,
        "--rank/--world/--rendezvous are for the worker processes that --devices starts (rank "
            + rank + " of " + world + " for --devices " + ids + "); leave them out");
    stopWithLauncher();
    try (CudaBackend backend = openGpu(ids.get(rank), precision)) {
      byte[] id;
      if (rank == 0) {
        id = NcclCommunicator.newUniqueId();
        Rendezvous.publish(rendezvous, id, world);
      } else {
        id = Rendezvous.await(rendezvous, world, rank, timeout);
      }
      try (NcclCommunicator comm = NcclCommunicator.join(backend, rank, world, id)) {
        if (rank == 0) {
          err.printf("data parallel: %d ranks over NCCL %s, rank 0 on %s (%s)%n", world,
              NcclCommunicator.version(), backend.name(), backend.deviceName());
        }
        Trainer.Result r = new Trainer(o, backend, err, comm).run();
        if (rank == 0) TrainCommand.report(r, out);
      }
    }
    return 0;
  }

  /** The one GPU of a single-process run or a worker; a clear error where there is none. */
  static CudaBackend openGpu(int index, Precision precision) {
    requireGpus(new DeviceList(List.of(index)));
    return new CudaBackend(index, precision);
  }

  private static void requireGpus(DeviceList ids) {
    if (!CudaBackend.isAvailable()) {
      throw new UserError("--devices " + ids + ": no usable GPU (" + CudaBackend.unavailableReason()
          + "); use --device cpu without --devices, or set CREAM_CUDA_LIB_DIR to the folder"
          + " holding the CUDA libraries");
    }
    int count = CudaBackend.deviceCount();
    for (int id : ids.ids()) {
      UserError.require(id < count, "--devices " + ids + ": there is no GPU " + id
          + "; this machine has " + count + " (numbers 0.." + (count - 1) + ")");
    }
  }

  /** A worker whose launcher died would wait forever in its next collective: it exits too. */
  private static void stopWithLauncher() {
    ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> {
      System.err.println("cream: the launching process exited; stopping this worker");
      Runtime.getRuntime().halt(1);
    }));
  }
}
