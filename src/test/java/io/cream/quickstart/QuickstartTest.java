package io.cream.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.testutil.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart's plumbing at smoke sizes: every stage runs, and a second run reuses them all. */
class QuickstartTest {
  @TempDir Path work;

  @Test
  void smokeRunThenReuse() throws Exception {
    Path corpus = SharedData.dir().resolve("corpus/gutenberg");
    Path tokenizer = SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json");
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    double[][] table = new Quickstart(QuickstartPlan.smoke(), work, corpus, tokenizer,
        new PrintStream(log, true, StandardCharsets.UTF_8)).run();
    assertEquals(4, table.length);
    for (double[] row : table) {
      assertEquals(4, row.length);
      assertTrue(row[0] > 1 && row[1] > 1, "perplexities are finite and above 1");
      assertTrue(row[2] >= 0 && row[2] <= 1 && row[3] >= 0 && row[3] <= 1, "accuracies in [0, 1]");
    }
    for (String m : new String[] {"base", "pose", "cream"}) {
      assertTrue(Files.isRegularFile(work.resolve("models/" + m + "/config.json")), m);
    }
    String cfg = Files.readString(work.resolve("models/cream/config.json"));
    assertTrue(cfg.contains("\"linear\""), "the CREAM model carries linear rope_scaling: " + cfg);
    assertTrue(Files.size(work.resolve("report.html")) > 10_000);

    ByteArrayOutputStream again = new ByteArrayOutputStream();
    double[][] table2 = new Quickstart(QuickstartPlan.smoke(), work, corpus, tokenizer,
        new PrintStream(again, true, StandardCharsets.UTF_8)).run();
    String text = again.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("done before, reusing"), text);
    assertEquals(table[3][1], table2[3][1]);

    // The retrieval documents are prompt/completion pairs of the planned token lengths.
    String shortDocs = Files.readString(work.resolve("data/pretrain/synthetic-passkey.jsonl"));
    assertTrue(shortDocs.startsWith("{\"prompt\":") && shortDocs.contains("\"completion\":\" "), shortDocs);
    // Another plan in the same folder is refused, not mixed with the first one's stages.
    QuickstartPlan other = QuickstartPlan.smoke().withPretrainSteps(QuickstartPlan.smoke().pretrainSteps() + 1);
    io.cream.util.UserError e = org.junit.jupiter.api.Assertions.assertThrows(io.cream.util.UserError.class,
        () -> new Quickstart(other, work, corpus, tokenizer, new PrintStream(new ByteArrayOutputStream())).run());
    assertTrue(e.getMessage().contains("other settings") && e.getMessage().contains("--work"), e.getMessage());
  }
}
