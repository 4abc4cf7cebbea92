package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.backend.cpu.CpuBackend;
import io.cream.backend.cuda.CudaBackend;
import io.cream.util.UserError;
import picocli.CommandLine.Option;

/** `--device`: where a command computes. */
public final class DeviceOption {
  @Option(names = "--device", paramLabel = "DEV",
      description = "cpu (default), cuda or cuda:N (GPU number N).")
  String device = "cpu";

  @Option(names = "--tf32", description = "cuda: run matrix products on TF32 tensor cores (~3e-4 relative error).")
  boolean tf32;

  public Backend open() {
    if (device.equals("cpu")) return new CpuBackend();
    if (device.equals("cuda") || device.startsWith("cuda:")) {
      int index = 0;
      if (device.startsWith("cuda:")) {
        try {
          index = Integer.parseInt(device.substring(5));
        } catch (NumberFormatException e) {
          throw new UserError("--device " + device + ": the GPU number must be an integer, e.g. cuda:0");
        }
      }
      if (!CudaBackend.isAvailable()) {
        throw new UserError("--device cuda: no usable GPU (" + CudaBackend.unavailableReason()
            + "); use --device cpu, or set CREAM_CUDA_LIB_DIR to the folder holding the CUDA libraries");
      }
      return new CudaBackend(index, tf32);
    }
    throw new UserError("--device must be cpu, cuda or cuda:N, got '" + device + "'");
  }
}
