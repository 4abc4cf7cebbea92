package io.cream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchCommandTest {
  @TempDir Path tmp;

  private static String run(int expectedExit, String... args) {
    PrintStream out = System.out, err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream both = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setOut(both);
    System.setErr(both);
    try {
      assertEquals(expectedExit, Main.execute(args));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void presentFilesAreNotFetchedAgain() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("tok"));
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{}}");
    Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
    String out = run(0, "fetch", "tokenizer", "--out", dir.toString());
    assertEquals("tokenizer: already present in " + dir + " (2 files), nothing fetched\n", out);
  }

  @Test
  void unknownTargetIsBadInput() {
    String out = run(2, "fetch", "weights", "--out", tmp.toString());
    assertTrue(out.startsWith("cream: unknown thing to fetch 'weights': use 'corpus' or 'tokenizer'"), out);
    assertEquals(2, Main.execute("fetch"));
  }

  @Test
  void targetThatIsAFileIsBadInput() throws Exception {
    Path file = Files.writeString(tmp.resolve("corpus"), "not a folder");
    String out = run(2, "fetch", "corpus", "--out", file.toString());
    assertTrue(out.contains("exists and is not a folder"), out);
  }
}
