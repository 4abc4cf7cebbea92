package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.cpu.CpuBackend;
import io.cream.io.TextTokenizer;
import io.cream.model.LlamaConfig;
import io.cream.model.LlamaModel;
import io.cream.model.WeightInit;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import io.cream.testutil.SharedData;
import io.cream.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every task end to end on the real engine: a tiny random Llama with the real Mistral tokenizer,
 * KV-cache decoding and chunked scoring, YaRN scaling. Random weights score ~0; this checks that
 * prompts reach their token lengths through a real tokenizer, that decoding and scoring run and
 * that results.json and the chart are written.
 */
class RealModelEndToEndTest {
  @TempDir Path tmp;

  @Test
  void everyTaskRunsOnATinyRealModel() throws Exception {
    ObjectNode j = Json.object();
    j.putArray("architectures").add("LlamaForCausalLM");
    j.put("hidden_size", 32);
    j.put("intermediate_size", 64);
    j.put("num_hidden_layers", 2);
    j.put("num_attention_heads", 4);
    j.put("num_key_value_heads", 2);
    j.put("rms_norm_eps", 1e-5);
    j.put("max_position_embeddings", 128);
    j.put("vocab_size", 32000);
    j.put("tie_word_embeddings", true);
    LlamaConfig c = LlamaConfig.fromJson(j);
    Path tokenizer = SharedData.dir().resolve("tokenizers/mistral-7b/tokenizer.json");
    Path docs = tmp.resolve("docs");
    Files.createDirectories(docs);
    Files.copy(SharedData.dir().resolve("corpus/gutenberg/carroll-alice.txt.gz"), docs.resolve("alice.txt.gz"));
    EvalOptions base = EvalOptions.defaults().withSamples(1).withSeed(3).withMaxNewTokens(4)
        .withDepths(List.of(0.0, 100.0));
    try (CpuBackend b = new CpuBackend();
        LlamaEvalModel model = new LlamaEvalModel("tiny", new LlamaModel(c, b, WeightInit.random(c, b, 1),
            RopeSpec.of(RopeType.YARN, c.headDim(), 10000, 4, 128).build()), TextTokenizer.load(tokenizer),
            Integer.MAX_VALUE)) {
      for (String task : EvalTasks.NAMES) {
        EvalOptions o = switch (task) {
          case "kv" -> base.withKeys(List.of(4));
          case "lines" -> base.withLengths(List.of(300));
          case "ppl" -> base.withLengths(List.of(200, 400)).withDataDir(docs).withPplProtocol(PplProtocol.STRIDED)
              .withPplWindow(256, 128);
          case "needle" -> base.withLengths(List.of(200, 300)).withHaystackDir(docs);
          default -> base.withLengths(List.of(150, 300));
        };
        Path results = EvalRunner.run(task, model, o, tmp.resolve(task), new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        EvalResults r = EvalResults.read(results);
        assertTrue(r.complete(), task);
        assertEquals(task, r.task());
        assertTrue(Files.size(tmp.resolve(task).resolve(EvalRunner.CHART_FILE)) > 1000, task + " chart");
        for (CaseRecord rec : r.records()) {
          if (!task.equals("kv") && !task.equals("ppl")) {
            assertTrue(rec.promptTokens() <= rec.length(), task + ": prompt over its target length");
            assertTrue(rec.promptTokens() >= rec.length() - 40, task + ": prompt far below its target");
          }
        }
        if (task.equals("ppl")) {
          for (CellSummary s : r.cells()) {
            assertTrue(s.perplexity() > 1000, "random weights over a 32K vocabulary: ppl near 32000, got " + s.perplexity());
          }
        }
      }
    }
  }
}
