package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  /** Runs the CLI and returns {exit code, stdout + stderr}. */
  private static Object[] run(String... args) {
    PrintStream out = System.out, err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      int code = Main.execute(args);
      capture.flush();
      return new Object[] {code, buf.toString(StandardCharsets.UTF_8)};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void gemmBenchPrintsATableRowPerShape() {
    Object[] r = run("bench", "gemm", "--sizes", "40x30x20:nt,17", "--threads", "1",
        "--repeats", "3", "--warmup", "1", "--warmup-seconds", "0", "--peak-ms", "5");
    String text = (String) r[1];
    assertEquals(0, r[0], text);
    assertTrue(text.contains("measured FMA peak"), text);
    assertTrue(text.contains("40×30×20 nt"), text);
    assertTrue(text.contains("17×17×17 nn"), text);
  }

  @Test
  void badInputIsOneLineAndExitTwo() {
    for (String[] args : new String[][] {
        {"bench", "gemm", "--sizes", "12x"},
        {"bench", "gemm", "--sizes", "0"},
        {"bench", "gemm", "--sizes", "40000x40000x40000"},
        {"bench", "gemm", "--threads", "100000"},
        {"bench", "gemm", "--repeats", "0"},
        {"bench"}}) {
      Object[] r = run(args);
      String text = ((String) r[1]).strip();
      assertEquals(2, r[0], text);
      assertTrue(text.startsWith("cream: ") && !text.contains("\tat "), text);
    }
  }

  @Test
  void shapesParse() {
    assertEquals(new BenchGemmCommand.Shape(256, 4096, 11008, false, true),
        BenchGemmCommand.Shape.parse("256x4096x11008:nt"));
    assertEquals(new BenchGemmCommand.Shape(7, 7, 7, false, false),
        BenchGemmCommand.Shape.parse("7"));
    assertEquals(new BenchGemmCommand.Shape(3, 4, 5, true, false),
        BenchGemmCommand.Shape.parse("3×4×5:TN"));
  }
}
