package io.cream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.Backend;
import io.cream.backend.cuda.CudaException;
import io.cream.bench.ModelShapes;
import io.cream.bench.TrainBench;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamLayout;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** `cream bench train`: training-step throughput and MFU of a model shape with random weights. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Time full training steps (forward, backward, gradient clipping, AdamW) of a model shape with"
          + " random weights and tokens, as `cream train` runs them; report tokens/s, the median step,"
          + " MFU and peak device memory, and optionally a per-op time table (--profile)."
    })
public final class BenchTrainCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", defaultValue = "tinyllama-1.1b", paramLabel = "SHAPE",
      description = "tinyllama-1.1b, llama2-7b, llama3.2-1b or a config.json path (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--seq", defaultValue = "4096", paramLabel = "T", description = "Sequence length (default: ${DEFAULT-VALUE}).")
  int seq;

  @Option(names = "--batch", defaultValue = "1", paramLabel = "B", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
  int batch;

  @Option(names = "--steps", defaultValue = "5", paramLabel = "K", description = "Timed steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--warmup", defaultValue = "1", paramLabel = "K", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--recompute", description = "Recompute activations in the backward (less memory).")
  boolean recompute;

  @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "OPT",
      description = "adamw, or none to time forward + backward only, no moments in memory (default: ${DEFAULT-VALUE}).")
  String optimizer;

  @Option(names = "--profile", description = "Run one more step with every op timed and print the table.")
  boolean profile;

  @Option(names = "--peak-tflops", paramLabel = "TF",
      description = "The card's dense bf16 peak for MFU (default: 989.4 on H100/H200 SXM, else no MFU).")
  Double peakTflops;

  @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
  Path json;

  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    UserError.require(seq >= 2 && batch >= 1 && steps >= 1 && warmup >= 0,
        "--seq must be >= 2, --batch and --steps >= 1, --warmup >= 0");
    UserError.require(optimizer.equals("adamw") || optimizer.equals("none"),
        "--optimizer must be adamw or none, got '" + optimizer + "'");
    LlamaConfig c = ModelShapes.resolve(model);
    TrainBench.Options o = new TrainBench.Options(batch, seq, steps, warmup, recompute, optimizer.equals("adamw"), profile, 1);
    PrintWriter out = spec.commandLine().getOut();
    try (Backend b = device.open()) {
      String card = b.deviceName();
      double peak = peakTflops != null ? peakTflops : BenchPeaks.bf16DenseTflops(card);
      out.printf("bench train: %s on %s (%s%s), %d layers, hidden %d, %,d parameters; batch %d × %d tokens%s,"
          + " optimizer %s; needs ~%.1f GiB (estimate)%n", model, b.name(), card, !b.precisionLabel().equals("fp32") ? ", " + b.precisionLabel() : "",
          c.numHiddenLayers(), c.hiddenSize(), ParamLayout.count(c), batch, seq, recompute ? ", recompute" : "",
          optimizer, TrainBench.estimateBytes(c, o, b.matmulInputBytes()) / (double) (1L << 30));
      if (!card.equals("CPU")) { // a GPU may run cuDNN's kernels or cream's; the CPU has one kind
        var shape = io.cream.backend.AttentionShape.causal(batch, c.numAttentionHeads(),
            c.numKeyValueHeads(), c.headDim(), seq);
        out.printf("attention: %s%n", b.attentionImplementation(shape));
      }
      out.flush();
      TrainBench.Result r;
      try {
        r = TrainBench.run(c, b, o);
      } catch (CudaException e) {
        if (!e.getMessage().contains("out of")) throw e;
        throw new UserError("bench train: " + model + " at batch " + batch + " × " + seq + " does not fit on " + card
            + " (" + e.getMessage() + "); try --recompute, --optimizer none or a smaller --batch");
      }
      double mfu = 100 * r.tflops() / peak;
      out.printf("step median %.1f ms (of %d), %,.0f tokens/s, %.1f model TFLOP/s, MFU %s, peak tensors %s%n",
          r.medianMillis(), steps, r.tokensPerSecond(), r.tflops(),
          Double.isNaN(mfu) ? "- (no peak known)" : String.format("%.1f%% of %.1f TFLOP/s", mfu, peak),
          r.peakBytes() < 0 ? "-" : String.format("%.2f GiB", r.peakBytes() / (double) (1L << 30)));
      if (profile) printOps(out, r.ops());
      if (json != null) Json.writeAtomically(json, toJson(c, r, card, peak));
    }
    return 0;
  }

  static void printOps(PrintWriter out, Map<String, double[]> ops) {
    double total = ops.values().stream().mapToDouble(t -> t[0]).sum();
    out.printf("%-16s %10s %7s %8s   (one step, every op timed alone)%n", "op", "ms", "calls", "share");
    ops.entrySet().stream().sorted(Comparator.comparingDouble(e -> -e.getValue()[0])).forEach(e ->
        out.printf("%-16s %10.2f %7.0f %7.1f%%%n", e.getKey(), e.getValue()[0], e.getValue()[1], 100 * e.getValue()[0] / total));
    out.printf("%-16s %10.2f%n", "total", total);
  }

  private ObjectNode toJson(LlamaConfig c, TrainBench.Result r, String card, double peak) {
    ObjectNode j = Json.object();
    j.put("model", model).put("device", card).put("batch", batch).put("seq", seq).put("recompute", recompute)
        .put("optimizer", optimizer).put("params", ParamLayout.count(c)).put("step_ms_median", r.medianMillis())
        .put("tokens_per_s", r.tokensPerSecond()).put("model_tflops", r.tflops()).put("peak_tflops", peak)
        .put("peak_bytes", r.peakBytes());
    ObjectNode ops = j.putObject("ops_ms");
    r.ops().forEach((k, v) -> ops.put(k, v[0]));
    return j;
  }
}
