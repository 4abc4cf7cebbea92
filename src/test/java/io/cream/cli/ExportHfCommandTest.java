package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cream.testutil.FileDigest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code export hf} writes the same bytes as it did when it gathered every tensor in the heap
 * before writing: SHA-256 checksums of the safetensors files and index, taken at commit 9c072bd,
 * of models/cream-base-4m (bf16 on disk) in each dtype, in one file and in shards.
 */
class ExportHfCommandTest {
  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}, shards of {1} MiB")
  @CsvSource({
    "float32, 0, 1 file(s) e31ed951f1c1dd35a0eace88a5e4f8fcf7c6802d248b53b902cf611bf4793832",
    "bfloat16, 1, 10 file(s) f9fc9de4a0fa805e6c33142e1d75ec4330d0415a7b7e429c16cc101bc1f9b015",
    "float16, 2, 6 file(s) b37791866ae5177d5a925d3cd9c5d07db4404132b157c99dd58555615ac086f0",
  })
  void exportKeepsItsBytes(String dtype, String shardMib, String expected) throws Exception {
    Path out = tmp.resolve(dtype);
    CliRun r = CliRun.of("export", "hf", "--model", BaseToolsCommandTest.BASE.toString(), "--out", out.toString(),
        "--dtype", dtype, "--max-shard-mib", shardMib);
    assertEquals(0, r.code(), r.err());
    assertEquals(expected, FileDigest.of(out, "model"));
  }
}
