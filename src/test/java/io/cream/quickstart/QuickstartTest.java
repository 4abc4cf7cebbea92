package io.cream.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.testutil.SharedData;
import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart's plumbing at smoke sizes, from the shipped base model: every stage runs, a
 * second run reuses them all, and another plan in the same folder is refused.
 */
class QuickstartTest {
  static final Path BASE = Path.of("models/cream-base-4m");
  @TempDir Path work;

  @Test
  void smokeRunThenReuse() throws Exception {
    Path corpus = SharedData.dir().resolve("corpus/gutenberg");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    double[][] table = new Quickstart(QuickstartPlan.smoke(), work, BASE, corpus,
        new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    assertEquals(5, table.length);
    for (double[] row : table) {
      assertEquals(4, row.length);
      assertTrue(row[0] > 1 && row[1] > 1, "perplexities are finite and above 1");
      assertTrue(row[2] >= 0 && row[2] <= 1 && row[3] >= 0 && row[3] <= 1, "accuracies in [0, 1]");
    }
    for (String m : new String[] {"pose-yarn", "cream-yarn"}) {
      assertTrue(Files.isRegularFile(work.resolve("compare/runs/" + m + "/seed-0/model/config.json")), m);
    }
    String cfg = Files.readString(work.resolve("compare/runs/cream-yarn/seed-0/model/config.json"));
    assertTrue(cfg.contains("\"yarn-revised\""), "the CREAM model carries revised YaRN: " + cfg);
    assertTrue(Files.size(work.resolve("compare/report.html")) > 10_000);
    assertTrue(Files.isDirectory(work.resolve("data/heldout")) && Files.isDirectory(work.resolve("data/finetune")));
    assertTrue(!Files.exists(work.resolve("data/finetune/" + Quickstart.HELD_OUT_BOOK + ".txt.gz")),
        "the held-out book is not fine-tuned on");

    ByteArrayOutputStream again = new ByteArrayOutputStream();
    double[][] table2 = new Quickstart(QuickstartPlan.smoke(), work, BASE, corpus,
        new PrintStream(again, true, StandardCharsets.UTF_8)).run();
    String text = again.toString(StandardCharsets.UTF_8);
    assertTrue(!text.contains("start fine-tune"), "nothing is trained again: " + text);
    assertEquals(table[4][1], table2[4][1]);

    QuickstartPlan other = QuickstartPlan.smoke().withFinetuneSteps(QuickstartPlan.smoke().finetuneSteps() + 1);
    UserError e = assertThrows(UserError.class,
        () -> new Quickstart(other, work, BASE, corpus, new PrintStream(new ByteArrayOutputStream())).run());
    assertTrue(e.getMessage().contains("changed"), e.getMessage());
  }

  @Test
  void anExtendedModelIsRefusedAsABase() throws Exception {
    Path extended = work.resolve("extended");
    Files.createDirectories(extended);
    var config = (com.fasterxml.jackson.databind.node.ObjectNode) io.cream.util.Json.read(BASE.resolve("config.json"));
    config.putObject("rope_scaling").put("rope_type", "linear").put("factor", 8.0);
    io.cream.util.Json.writeAtomically(extended.resolve("config.json"), config);
    UserError e = assertThrows(UserError.class, () -> new Quickstart(QuickstartPlan.smoke(), work.resolve("w"), extended,
        SharedData.dir().resolve("corpus/gutenberg"), new PrintStream(new ByteArrayOutputStream())).run());
    assertTrue(e.getMessage().contains("rope_scaling") && e.getMessage().contains("--base"), e.getMessage());
  }
}
