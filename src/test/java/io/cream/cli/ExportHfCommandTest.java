package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.compare.CompareFixtures;
import io.cream.io.DType;
import io.cream.io.HfCheckpoint;
import io.cream.io.TensorToWrite;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaWeights;
import io.cream.model.WeightInit;
import io.cream.model.WeightsIO;
import io.cream.testutil.FileDigest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code export hf} reads, checks and converts one tensor at a time from the mapped checkpoint and
 * writes the same bytes as it did when it loaded the model and gathered every tensor before
 * writing: SHA-256 checksums of the safetensors files and index written by that writer (commit
 * 9c072bd) from models/cream-base-4m as shipped since 2026-12-08 (bf16 on disk), in each dtype, in
 * one file and in shards.
 */
class ExportHfCommandTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}, shards of {1} MiB")
  @CsvSource({
    "float32, 0, 1 file(s) 2e50c52bccbb4a79d1615ff4bba04ea2951c96ce3721a324562436e5ad30a986",
    "bfloat16, 1, 10 file(s) 8f99252b8d2f0b83015fb828ed7da27b8f37e532b8f27607ce3d62d6a8ad9c72",
    "float16, 2, 6 file(s) 9f6017e96e9e717996efee4cb6c856799c61f11570308bb67f0090d85927645f",
  })
  void exportKeepsItsBytes(String dtype, String shardMib, String expected) throws Exception {
    Path out = tmp.resolve(dtype);
    CliRun r = CliRun.of("export", "hf", "--model", BaseToolsCommandTest.BASE.toString(), "--out", out.toString(),
        "--dtype", dtype, "--max-shard-mib", shardMib);
    assertEquals(0, r.code(), r.err());
    assertEquals(expected, FileDigest.of(out, "model"));
  }

  /** A NaN found while writing is refused as loading refuses it, and leaves no folder that looks complete. */
  @Test
  void aNanWeightIsRefusedNamingTheTensor() throws Exception {
    ObjectNode json = CompareFixtures.tinyConfig();
    LlamaConfig c = LlamaConfig.fromJson(json);
    Path model = tmp.resolve("nan"), out = tmp.resolve("out");
    String name = "model.layers.1.mlp.down_proj.weight";
    try (CpuBackend b = new CpuBackend(); LlamaWeights w = WeightInit.random(c, b, 2)) {
      Map<String, TensorToWrite> t = WeightsIO.toWrite(c, w, b, DType.F32);
      t.put(name, t.get(name).held());
      t.get(name).data()[5] = Float.NaN;
      HfCheckpoint.write(model, json, t, null, 0);
    }
    CliRun r = CliRun.of("export", "hf", "--model", model.toString(), "--out", out.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("tensor '" + name + "' in " + model.resolve("model.safetensors") + " holds NaN"), r.err());
    assertFalse(Files.exists(out.resolve(HfCheckpoint.CONFIG_FILE)), "no config.json: the folder is not complete");
  }
}
