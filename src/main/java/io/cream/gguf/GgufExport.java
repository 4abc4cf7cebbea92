package io.cream.gguf;

import io.cream.backend.cpu.CpuBackend;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.ModelLoader;
import io.cream.rope.RopeSpec;
import io.cream.util.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code cream export gguf}: a checkpoint folder into one GGUF file llama.cpp runs. */
public final class GgufExport {
  private GgufExport() {}

  /** What was written, for the command's one-line report. */
  public record Result(Path file, long bytes, int tensors, GgufRope rope) {}

  public static Result write(Path modelDir, Path outFile, GgufDType dtype) throws IOException {
    UserError.require(!Files.isDirectory(outFile), "export gguf: --out must be a file (e.g. model.gguf), got the folder " + outFile);
    Path configFile = modelDir.resolve("config.json");
    UserError.require(Files.isRegularFile(configFile), "export gguf: " + modelDir + " has no config.json; give a checkpoint folder");
    // Refuse what cannot be exported before reading any weights.
    LlamaConfig config = LlamaConfig.read(configFile);
    LlamaGguf.requireSupported(config);
    RopeSpec rope = RopeSpec.fromHfConfig(config.raw(), configFile.toString());
    GgufRope.of(rope);
    GgufVocab vocab = GgufVocab.read(modelDir, config);
    LlamaGguf.Contents contents;
    try (CpuBackend backend = new CpuBackend(); LlamaModel model = ModelLoader.load(modelDir, backend, null)) {
      String name = modelDir.toAbsolutePath().normalize().getFileName().toString();
      contents = LlamaGguf.of(model, rope, vocab, dtype, name);
      GgufWriter.write(outFile, contents.metadata(), contents.tensors());
    }
    return new Result(outFile, Files.size(outFile), contents.tensors().size(), contents.rope());
  }
}
