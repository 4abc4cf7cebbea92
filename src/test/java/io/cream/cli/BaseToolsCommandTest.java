package io.cream.cli;

import static io.cream.cli.CompareCommandTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.cpu.CpuBackend;
import io.cream.data.Document;
import io.cream.data.DocumentSource;
import io.cream.io.TextTokenizer;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaModel;
import io.cream.model.ModelLoader;
import io.cream.testutil.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands that make a base model: vocab, synth and export hf, through the command line. */
class BaseToolsCommandTest {
  static final Path BASE = Path.of("models/cream-base-4m");
  @TempDir Path tmp;

  @Test
  void vocabCutsTheAskedNumberOfPieces() {
    Path mistral = SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json");
    Path books = SharedData.dir().resolve("corpus/gutenberg/carroll-alice.txt.gz");
    CliRun r = run("vocab", "--tokenizer", mistral.toString(), "--data", books.toString(),
        "--size", "700", "--out", tmp.resolve("v").toString());
    assertEquals(0, r.code(), r.err());
    try (TextTokenizer t = TextTokenizer.load(tmp.resolve("v/tokenizer.json"))) {
      assertEquals(700, t.vocabSize());
      assertEquals("Alice was beginning", t.decode(t.encodePlain("Alice was beginning")));
    }
  }

  @Test
  void synthWritesPromptCompletionDocumentsTheTrainerReads() {
    Path out = tmp.resolve("synth/passkey.jsonl.gz");
    CliRun r = run("synth", "--task", "passkey", "--tokenizer", BASE.toString(), "--count", "5",
        "--min-tokens", "1", "--max-tokens", "200", "--seed", "9", "--out", out.toString());
    assertEquals(0, r.code(), r.err());
    List<Document> docs = new ArrayList<>();
    DocumentSource.of(out.getParent()).forEach(docs::add);
    assertEquals(5, docs.size());
    for (Document d : docs) {
      assertTrue(d.promptChars() > 0 && d.text().substring(d.promptChars()).matches(" \\d+"), d.text());
    }
    CliRun bad = run("synth", "--task", "kv", "--kv-key", "long", "--tokenizer", BASE.toString(),
        "--count", "1", "--min-tokens", "1", "--max-tokens", "200", "--out", tmp.resolve("x.jsonl").toString());
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("kv") && bad.err().lines().count() == 1, bad.err());
  }

  @Test
  void exportShardsAndKeepsTheLogits() throws Exception {
    Path out = tmp.resolve("exported");
    CliRun r = run("export", "hf", "--model", BASE.toString(), "--out", out.toString(),
        "--dtype", "float32", "--max-shard-mib", "5");
    assertEquals(0, r.code(), r.err());
    List<Path> shards;
    try (Stream<Path> s = Files.list(out)) {
      shards = s.filter(p -> p.toString().endsWith(".safetensors")).toList();
    }
    assertTrue(shards.size() >= 4, "17 MB of float32 in shards of 5 MiB: " + shards);
    for (Path p : shards) assertTrue(Files.size(p) <= 5L << 20, p + " is over 5 MiB");
    assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
    assertTrue(Files.readString(out.resolve("config.json")).contains("\"float32\""));
    assertArrayEquals(logits(BASE), logits(out), "bf16 weights widened to float32 compute the same logits");
    assertEquals(2, run("export", "hf", "--model", BASE.toString(), "--out", BASE.toString()).code());
    CliRun badDtype = run("export", "hf", "--model", BASE.toString(), "--out", tmp.resolve("x").toString(), "--dtype", "int8");
    assertEquals(2, badDtype.code());
    assertTrue(badDtype.err().contains("--dtype must be float32, bfloat16 or float16"), badDtype.err());
  }

  private static double[] logits(Path model) throws Exception {
    try (CpuBackend b = new CpuBackend(); LlamaModel m = ModelLoader.load(model, b, null);
        TextTokenizer t = TextTokenizer.load(model)) {
      int[] ids = t.encode("It is a truth universally acknowledged, that a single man");
      try (InferenceSession s = new InferenceSession(m, ids.length)) {
        return s.appendAndScore(ids, -1);
      }
    }
  }
}
