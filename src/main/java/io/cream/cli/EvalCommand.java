package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.eval.ChatTemplate;
import io.cream.eval.EvalOptions;
import io.cream.eval.EvalRunner;
import io.cream.eval.EvalTasks;
import io.cream.eval.KvKeyFormat;
import io.cream.eval.LlamaEvalModel;
import io.cream.eval.PplProtocol;
import io.cream.io.TextTokenizer;
import io.cream.model.ModelLoader;
import io.cream.util.OutFolder;
import io.cream.util.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Measure a model's long-context ability on one task, writing results.json and a chart.",
        "Tasks: passkey, needle, kv (lost-in-the-middle key-value retrieval), lines (LongChat-Lines) or ppl"
            + " (perplexity), by default with the reference code's prompts, budgets and scores"
            + " (docs/eval-tasks.md)."})
public final class EvalCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TASK", description = "passkey, needle, kv, lines or ppl.")
  String task;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder.") Path model;
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for results.json and chart.png.") Path out;
  @Option(names = "--lengths", paramLabel = "L,..", description = "Prompt lengths in tokens, e.g. 1k,2k,4k"
      + " (k = 1024) (default: needle the reference's 1024,4543,...,32700 (10); others 1024,2048,4096).") String lengths;
  @Option(names = "--depths", paramLabel = "D,..", description = "Percent depths, e.g. 0,25,50,75,100 (default:"
      + " needle 0,20,40,60,80,100, the reference's; passkey 0,25,50,75,100).") String depths;
  @Option(names = "--keys", paramLabel = "K,..", description = "kv: numbers of keys, e.g. 75,140 (default: 75).") String keys;
  @Option(names = "--gold", paramLabel = "P,..", description = "kv: gold positions (default: 5 spread from first to last).") String gold;
  @Option(names = "--samples", paramLabel = "K", description = "Prompts per cell; ppl: documents per length (default: 5).") Integer samples;
  @Option(names = "--seed", defaultValue = "42", paramLabel = "X", description = "Seed of the prompts' keys, values and fillers (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--max-new-tokens", defaultValue = "0", paramLabel = "K", description = "Most tokens generated per"
      + " prompt, 0 for the task's own: passkey 10, needle 50, kv 50, lines 35 (default: ${DEFAULT-VALUE}).") int maxNew;
  @Option(names = "--min-new-tokens", defaultValue = "-1", paramLabel = "K", description = "EOS held off until this"
      + " many new tokens, -1 for the task's own: lines 5, others 0 (default: ${DEFAULT-VALUE}).") int minNew;
  @Option(names = "--chat-template", paramLabel = "T", defaultValue = "vicuna", description = "lines, needle: vicuna"
      + " (as the reference wraps every prompt) or none (the bare message) (default: ${DEFAULT-VALUE}).") String chatTemplate;
  @Option(names = "--kv-key", paramLabel = "F", defaultValue = "uuid", description = "kv: uuid (the reference's) or"
      + " short (8 hex characters: more records fit a short window) (default: ${DEFAULT-VALUE}).") String kvKey;
  @Option(names = "--haystack", paramLabel = "DIR", description = "needle: folder of .txt files (default: the books"
      + " of 'cream fetch corpus').") Path haystack;
  @Option(names = "--data", paramLabel = "DIR", description = "ppl: folder of documents (required for ppl).") Path data;
  @Option(names = "--ppl-protocol", paramLabel = "P", defaultValue = "reference", description = "ppl: reference"
      + " (CREAM's eval_ppl.py: the documents that reach the longest length, the same at every length, BOS + L-1"
      + " tokens in one pass), long (its PG19/Books3 script: a sliding window, each window's mean loss weighted by"
      + " its new tokens) or strided (each token scored once; per length the documents that reach it)"
      + " (default: ${DEFAULT-VALUE}).") String pplProtocol;
  @Option(names = "--ppl-window", paramLabel = "W", defaultValue = "0", description = "ppl long/strided: window in"
      + " tokens; 0: long the --max-context, strided the length, or --max-context beyond it (default: ${DEFAULT-VALUE}).")
  int pplWindow;
  @Option(names = "--ppl-stride", paramLabel = "S", defaultValue = "0", description = "ppl long/strided: stride in"
      + " tokens; 0: long window/8, strided window/2 (default: ${DEFAULT-VALUE}).") int pplStride;
  @Option(names = "--max-context", paramLabel = "T", description = "Longest sequence to run (default: no limit).") Integer maxContext;
  @Mixin RopeOverride rope;
  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    UserError.require(EvalTasks.NAMES.contains(task),
        "unknown task '" + task + "'; use one of " + String.join(", ", EvalTasks.NAMES));
    EvalOptions o = EvalOptions.defaults().withSeed(seed).withMaxNewTokens(maxNew).withMinNewTokens(minNew)
        .withChatTemplate(ChatTemplate.parse(chatTemplate)).withKvKey(KvKeyFormat.parse(kvKey))
        .withRopeOverride(rope.describe());
    if (lengths != null) o = o.withLengths(ints(lengths, "--lengths"));
    if (depths != null) o = o.withDepths(ints(depths, "--depths").stream().map(Integer::doubleValue).toList());
    if (keys != null) o = o.withKeys(ints(keys, "--keys"));
    if (gold != null) o = o.withGoldPositions(ints(gold, "--gold"));
    if (samples != null) o = o.withSamples(samples);
    if (haystack != null) o = o.withHaystackDir(haystack);
    if (data != null) o = o.withDataDir(data);
    o = o.withPplProtocol(PplProtocol.parse(pplProtocol)).withPplWindow(pplWindow, pplStride);
    o.validate();
    String name = model.toAbsolutePath().normalize().getFileName().toString();
    OutFolder.requireWritable(out, "--out");
    try (Backend backend = device.open();
        LlamaEvalModel m = new LlamaEvalModel(name, ModelLoader.load(model, backend, rope.spec(model)),
            TextTokenizer.load(model), maxContext == null ? Integer.MAX_VALUE : maxContext,
            ModelLoader.window(model, rope.spec(model)))) {
      Path results = EvalRunner.run(task, m, o, out, System.err);
      System.out.println("wrote " + results);
    }
    return 0;
  }

  /** "1k,2k,4096" → [1024, 2048, 4096]. */
  static List<Integer> ints(String list, String flag) {
    List<Integer> out = new ArrayList<>();
    for (String part : list.split(",")) {
      String s = part.trim().toLowerCase();
      if (s.isEmpty()) continue;
      int mult = 1;
      if (s.endsWith("k")) {
        mult = 1024;
        s = s.substring(0, s.length() - 1);
      }
      try {
        out.add(Math.multiplyExact(Integer.parseInt(s), mult));
      } catch (NumberFormatException | ArithmeticException e) {
        throw new UserError(flag + ": '" + part + "' is not a whole number (use e.g. 1k,2k,4096)");
      }
    }
    UserError.require(!out.isEmpty(), flag + " is empty");
    return out;
  }
}
