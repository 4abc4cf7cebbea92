package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.backend.cpu.CpuBackend;
import io.cream.backend.cuda.CudaBackend;
import io.cream.backend.cuda.Precision;
import io.cream.util.UserError;
import picocli.CommandLine.Option;

/** `--device`: where a command computes. */
public final class DeviceOption {
  @Option(names = "--device", paramLabel = "DEV",
      description = "Where to compute: cpu, cuda or cuda:N (GPU number N) (default: cpu).")
  String device = "cpu";

  @Option(names = "--tf32", description = "cuda: same as --precision tf32.")
  boolean tf32;

  @Option(names = "--precision", paramLabel = "P", description = "cuda: what the tensor cores are"
      + " fed: fp32 (exact), tf32 (~1e-3) or bf16 (autocast like PyTorch amp, ~1e-2); weights, optimizer"
      + " state and norms stay float32 (default: fp32, or tf32 with --tf32).")
  String precision;

  /** The precision asked for: --precision, else tf32 where --tf32 is given, else fp32. */
  public Precision precision() {
    if (precision != null) {
      Precision p = Precision.parse(precision);
      UserError.require(!tf32 || p == Precision.TF32,
          "--tf32 contradicts --precision " + precision + "; give only one of them");
      return p;
    }
    return tf32 ? Precision.TF32 : Precision.FP32;
  }

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
      return new CudaBackend(index, precision());
    }
    throw new UserError("--device must be cpu, cuda or cuda:N, got '" + device + "'");
  }
}
