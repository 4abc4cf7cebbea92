package io.cream.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.gguf.GgufDType;
import io.cream.gguf.GgufExport;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.model.LlamaConfig;
import io.cream.model.WeightsIO;
import io.cream.rope.RopeSpec;
import io.cream.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cream export hf}: rewrite a checkpoint in another dtype and shard size; {@code cream export
 * gguf}: one GGUF file for llama.cpp.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrite a checkpoint as a Hugging Face folder or as one GGUF file.",
      "'hf': a Hugging Face folder (config.json, tokenizer files, safetensors) in --dtype, split into"
          + " shards of at most --max-shard-mib (with model.safetensors.index.json), e.g. small shards"
          + " that move through git easily. 'gguf': one GGUF v3 file (--out FILE) that llama.cpp runs"
          + " with cream's numbers: weights, tokenizer and config.json's RoPE scaling (see docs/gguf.md)."
    })
public final class ExportCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FORMAT", description = "The format to write: hf or gguf.")
  String format;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Checkpoint folder to read.")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Folder to write (hf; must not be --model) or .gguf file (gguf).")
  Path out;

  @Option(names = "--dtype", defaultValue = "bfloat16", paramLabel = "T",
      description = "hf: float32, bfloat16 or float16; gguf: f32, f16, bf16 or q8_0 (or the hf names)"
          + " (default: ${DEFAULT-VALUE}).")
  String dtype;

  @Option(names = "--max-shard-mib", defaultValue = "15", paramLabel = "M",
      description = "Largest safetensors file in MiB (default: ${DEFAULT-VALUE}; 0: one file).")
  long maxShardMib;

  @Override
  public Integer call() throws Exception {
    if (format.equals("gguf")) return gguf();
    UserError.require(format.equals("hf"), "export: unknown format '" + format + "'; use 'hf' or 'gguf'");
    UserError.require(maxShardMib >= 0, "--max-shard-mib must be 0 or more");
    UserError.require(!Files.exists(out) || !Files.isSameFile(model, out), "export: --out must differ from --model");
    DType type = DType.fromTorchName(dtype).orElseThrow(() ->
        new UserError("--dtype must be float32, bfloat16 or float16, got '" + dtype + "'"));
    try (HfCheckpoint in = HfCheckpoint.open(model)) {
      LlamaConfig c = in.config();
      RopeSpec.fromHfConfig(c.raw()).build(); // a rope_scaling cream cannot compute is refused, as loading refuses it
      ObjectNode config = (ObjectNode) c.raw().deepCopy();
      config.put("torch_dtype", type.torchName());
      // Each tensor is read from the mapped file, checked and converted when the writer reaches it:
      // the heap holds one tensor, never the model.
      HfCheckpoint.write(out, config, WeightsIO.toWrite(c, type, "", WeightsIO.values(c, in.tensors())), model,
          maxShardMib << 20);
    }
    System.out.printf("export: %s -> %s (%s, shards ≤ %d MiB)%n", model, out, dtype, maxShardMib);
    return 0;
  }

  private int gguf() throws Exception {
    GgufDType type = GgufDType.parse(dtype);
    GgufExport.Result r = GgufExport.write(model, out, type);
    System.out.printf("export: %s -> %s (gguf %s, %d tensors, %.1f MiB, rope %s)%n", model, r.file(), type.id(),
        r.tensors(), r.bytes() / 1048576.0, r.rope().describe());
    return 0;
  }
}
