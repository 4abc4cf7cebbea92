package io.cream.cli;

import io.cream.eval.EvalOptions;
import io.cream.synth.RetrievalDocs;
import io.cream.util.AtomicFiles;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cream synth}: synthetic retrieval documents (prompt/completion) for training. */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Write synthetic retrieval documents for training, built like the evaluation tasks' prompts.",
      "One JSON line each: {\"prompt\": <the eval task's prompt>, \"completion\": \" <answer>\"}. The"
          + " prompts come from the evaluation tasks' own builders (the format the model is tested on),"
          + " with lengths in tokens of --tokenizer drawn uniformly from [--min-tokens, --max-tokens];"
          + " train on them with 'cream train --data' (the loss is on the answer only). Use another --seed"
          + " than the evaluation's (42) so that keys and values differ from the test's."
    })
public final class SynthCommand implements Callable<Integer> {
  @Option(names = "--task", required = true, paramLabel = "T", description = "passkey, kv, lines or needle.")
  String task;

  @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "tokenizer.json (or its folder) the lengths are counted in.")
  Path tokenizer;

  @Option(names = "--count", required = true, paramLabel = "K", description = "Documents to write.")
  int count;

  @Option(names = "--min-tokens", required = true, paramLabel = "A", description = "Shortest document (prompt + answer), tokens.")
  int minTokens;

  @Option(names = "--max-tokens", required = true, paramLabel = "B", description = "Longest document (prompt + answer), tokens.")
  int maxTokens;

  @Option(names = "--seed", defaultValue = "1000", paramLabel = "X", description = "Seed of the keys, values, fillers and lengths (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--kv-key", defaultValue = "uuid", paramLabel = "F",
      description = "kv: key and value format, uuid or short (8 hex characters) (default: ${DEFAULT-VALUE}).")
  String kvKey;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .jsonl or .jsonl.gz file.")
  Path out;

  @Override
  public Integer call() throws Exception {
    EvalOptions options = EvalOptions.defaults().withSeed(seed).withKvKey(io.cream.eval.KvKeyFormat.parse(kvKey));
    options.validate();
    long t0 = System.nanoTime();
    RetrievalDocs.Documents docs = new RetrievalDocs(task, tokenizer, options).generate(count, minTokens, maxTokens);
    boolean gzip = out.getFileName().toString().endsWith(".gz");
    AtomicFiles.write(out, raw -> {
      OutputStream o = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
      for (String d : docs.lines()) o.write(d.getBytes(StandardCharsets.UTF_8));
      if (gzip) ((GZIPOutputStream) o).finish();
    });
    System.out.printf("synth: %d %s documents of %d–%d tokens -> %s (%.1f s)%n",
        count, task, docs.shortest(), maxTokens, out, (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
