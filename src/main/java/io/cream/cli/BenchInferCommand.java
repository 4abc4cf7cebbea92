package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.bench.InferBench;
import io.cream.bench.ModelShapes;
import io.cream.model.LlamaConfig;
import io.cream.util.UserError;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `cream bench infer`: long-prompt prefill time and decode rate of a model shape. */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    description = "Time prefilling a long random prompt through the KV cache and greedy decoding after it,"
        + " for a model shape with random weights.")
public final class BenchInferCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", defaultValue = "tinyllama-1.1b", paramLabel = "SHAPE",
      description = "tinyllama-1.1b, llama2-7b, llama3.2-1b or a config.json path (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--prefill", defaultValue = "32768", paramLabel = "T", description = "Prompt tokens (default: ${DEFAULT-VALUE}).")
  int prefill;

  @Option(names = "--decode", defaultValue = "64", paramLabel = "K", description = "Tokens to decode (default: ${DEFAULT-VALUE}).")
  int decode;

  @Option(names = "--chunk", defaultValue = "2048", paramLabel = "C", description = "Prompt tokens per forward (default: ${DEFAULT-VALUE}).")
  int chunk;

  @Mixin DeviceOption device;

  @Override
  public Integer call() {
    UserError.require(prefill >= 1 && decode >= 1 && chunk >= 1, "--prefill, --decode and --chunk must be at least 1");
    LlamaConfig c = ModelShapes.resolve(model);
    PrintWriter out = spec.commandLine().getOut();
    try (Backend b = device.open()) {
      String card = b.deviceName();
      InferBench.Result r = InferBench.run(c, b, new InferBench.Options(prefill, decode, chunk, 1));
      out.printf("bench infer: %s on %s (%s): prefill %d tokens in %.1f ms (%,.0f tokens/s, chunks of %d),"
          + " decode %,.1f tokens/s, peak tensors %s%n", model, b.name(), card, prefill, r.prefillMillis(),
          prefill / (r.prefillMillis() / 1e3), chunk, r.decodeTokensPerSecond(),
          r.peakBytes() < 0 ? "-" : String.format("%.2f GiB", r.peakBytes() / (double) (1L << 30)));
    }
    return 0;
  }
}
