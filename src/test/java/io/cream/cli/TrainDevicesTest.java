package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.cream.backend.cuda.CudaBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `train --devices`: argument mistakes and machines without GPUs give one clear line, exit 2. */
class TrainDevicesTest {
  @TempDir Path tmp;

  /** Runs `train` with valid base flags plus extra; returns {exit code, stdout + stderr}. */
  private Object[] train(String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "--init", tmp.resolve("config.json").toString(),
        "--tokenizer", tmp.resolve("tokenizer.json").toString(), "--data", tmp.toString(),
        "--out", tmp.resolve("out").toString(), "--window", "72", "--steps", "2", "--warmup", "1"));
    args.addAll(Arrays.asList(extra));
    PrintStream out = System.out, err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
    System.setOut(capture);
    System.setErr(capture);
    try {
      int code = Main.execute(args.toArray(String[]::new));
      return new Object[] {code, buf.toString(StandardCharsets.UTF_8).strip()};
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  private void assertUsageError(String expected, String... extra) {
    Object[] r = train(extra);
    String text = (String) r[1];
    assertEquals(2, r[0], text);
    assertTrue(text.startsWith("cream: ") && !text.contains("\tat ") && !text.contains("\n"), text);
    assertTrue(text.contains(expected), text);
    assertTrue(Files.notExists(tmp.resolve("out")), "nothing written for a usage error");
  }

  @Test
  void devicesNeedTheCudaDevice() {
    assertUsageError("--devices needs --device cuda", "--devices", "0,1");
    assertUsageError("--devices needs --device cuda", "--device", "cpu", "--devices", "0,1");
    assertUsageError("--devices needs --device cuda", "--device", "cuda:1", "--devices", "0,1");
  }

  @Test
  void badGpuListsAreNamed() {
    assertUsageError("GPU 0 is listed twice", "--device", "cuda", "--devices", "0,1,0");
    assertUsageError("'x' is not a GPU number", "--device", "cuda", "--devices", "0,x");
    assertUsageError("'' is not a GPU number", "--device", "cuda", "--devices", "0,");
    assertUsageError("start at 0", "--device", "cuda", "--devices=-1,0");
  }

  @Test
  void workerFlagsAreNotForUsers() {
    assertUsageError("leave them out", "--rank", "0");
    assertUsageError("go together", "--device", "cuda", "--devices", "0,1", "--rank", "1");
    assertUsageError("leave them out", "--device", "cuda", "--devices", "0,1", "--rank", "2",
        "--world", "2", "--rendezvous", tmp.resolve("r").toString());
  }

  @Test
  void withoutGpusTheLauncherSaysSoBeforeStartingAnything() {
    assumeFalse(CudaBackend.isAvailable(), "this machine has a GPU");
    assertUsageError("no usable GPU", "--device", "cuda", "--devices", "0,1");
    assertUsageError("no usable GPU", "--device", "cuda", "--devices", "1");
  }

  @Test
  void devicesListParses() {
    assertEquals(List.of(2, 0, 5), DeviceList.parse(" 2, 0,5").ids());
    assertEquals("2,0,5", DeviceList.parse("2,0,5").toString());
  }

  @Test
  void selfCommandKeepsTheJvmPartOfThisProcess() {
    String[] raw = ProcessHandle.current().info().arguments().orElse(new String[0]);
    assumeFalse(raw.length < 2, "no command line visible for this process");
    List<String> tail = List.of(raw).subList(raw.length - 1, raw.length);
    List<String> prefix = SelfCommand.javaPrefix(tail);
    assertEquals(ProcessHandle.current().info().command().orElseThrow(), prefix.getFirst());
    assertEquals(List.of(raw).subList(0, raw.length - 1), prefix.subList(1, prefix.size()));
    // Arguments this process was not started with: this runtime's java, class path, main class.
    List<String> fallback = SelfCommand.javaPrefix(List.of("train", "--no-such-arg-" + tmp.hashCode()));
    assertTrue(Files.isExecutable(Path.of(fallback.getFirst())), fallback.toString());
    assertEquals(Main.class.getName(), fallback.getLast());
    assertTrue(fallback.contains("--enable-native-access=ALL-UNNAMED"), fallback.toString());
  }
}
