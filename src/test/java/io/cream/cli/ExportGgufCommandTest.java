package io.cream.cli;

import static io.cream.cli.CompareCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.util.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `cream export gguf` through the command line: a file, and one line on stderr for each bad input. */
class ExportGgufCommandTest {
  static final Path BASE = BaseToolsCommandTest.BASE;
  @TempDir Path tmp;

  @Test
  void writesOneFileAndSaysWhat() throws Exception {
    Path out = tmp.resolve("base.gguf");
    CliRun r = run("export", "gguf", "--model", BASE.toString(), "--out", out.toString(), "--dtype", "q8_0");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("gguf q8_0, 38 tensors") && r.out().contains("rope none"), r.out());
    byte[] head;
    try (var in = Files.newInputStream(out)) {
      head = in.readNBytes(8);
    }
    assertEquals("GGUF", new String(head, 0, 4, StandardCharsets.US_ASCII));
    assertEquals(3, head[4], "version 3");
    assertTrue(Files.size(out) < 5_000_000, "q8_0 is about a quarter of float32's 17 MB: " + Files.size(out));
  }

  @Test
  void badInputGetsOneLine() throws Exception {
    Path out = tmp.resolve("x.gguf");
    assertOneLine(run("export", "gguf", "--model", BASE.toString(), "--out", out.toString(), "--dtype", "int8"),
        "--dtype for gguf must be one of f32, f16, bf16, q8_0");
    assertOneLine(run("export", "gguf", "--model", BASE.toString(), "--out", tmp.toString()), "--out must be a file");
    assertOneLine(run("export", "onnx", "--model", BASE.toString(), "--out", out.toString()), "use 'hf' or 'gguf'");

    Path dynamic = Files.createDirectories(tmp.resolve("dynamic"));
    try (var files = Files.list(BASE)) {
      for (Path f : files.toList()) Files.copy(f, dynamic.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    ObjectNode config = (ObjectNode) Json.read(dynamic.resolve("config.json"));
    config.putObject("rope_scaling").put("rope_type", "dynamic").put("factor", 4.0);
    Files.writeString(dynamic.resolve("config.json"), Json.pretty(config));
    assertOneLine(run("export", "gguf", "--model", dynamic.toString(), "--out", out.toString()), "rope type 'dynamic'");
    assertTrue(Files.notExists(out), "nothing written for bad input");
  }

  private static void assertOneLine(CliRun r, String says) {
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains(says), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
  }
}
