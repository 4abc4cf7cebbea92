package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.backend.cpu.CpuBackend;
import io.cream.util.UserError;
import picocli.CommandLine.Option;

/** `--device`: where a command computes. */
public final class DeviceOption {
  @Option(names = "--device", paramLabel = "DEV", description = "cpu (default) or cuda.")
  String device = "cpu";

  public Backend open() {
    return switch (device) {
      case "cpu" -> new CpuBackend();
      case "cuda" -> throw new UserError("--device cuda: the CUDA backend is not built yet in this"
          + " version; use --device cpu");
      default -> throw new UserError("--device must be cpu or cuda, got '" + device + "'");
    };
  }
}
