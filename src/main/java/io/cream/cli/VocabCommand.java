package io.cream.cli;

import io.cream.data.Document;
import io.cream.data.DocumentSource;
import io.cream.data.SmallVocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cream vocab}: cut a small vocabulary from a byte-fallback BPE tokenizer for some text. */
@Command(
    name = "vocab",
    mixinStandardHelpOptions = true,
    description = {
      "Cut a smaller vocabulary from a byte-fallback BPE tokenizer.json for the given text.",
      "Keeps the special and byte pieces, then the pieces the text uses most (e.g. 4K of Mistral's 32K),"
          + " and writes DIR/tokenizer.json (+ tokenizer_config.json), an ordinary Hugging Face tokenizer;"
          + " small models then spend their compute on the text, not on a 32K output layer."
    })
public final class VocabCommand implements Callable<Integer> {
  @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "Source tokenizer.json (or its folder).")
  Path tokenizer;

  @Option(names = "--data", required = true, split = ",", paramLabel = "PATH",
      description = "Folders or files of .txt/.jsonl(.gz) documents whose piece counts decide (comma-separated).")
  List<Path> data;

  @Option(names = "--size", defaultValue = "4096", paramLabel = "V", description = "Pieces to keep (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder for tokenizer.json and tokenizer_config.json.")
  Path out;

  @Override
  public Integer call() throws Exception {
    Path source = tokenizer.toFile().isDirectory() ? tokenizer.resolve("tokenizer.json") : tokenizer;
    List<String> texts = new ArrayList<>();
    for (Path p : data) for (Document d : DocumentSource.of(p)) texts.add(d.text());
    Path file = SmallVocabulary.write(source, texts, size, out);
    try (var t = io.cream.io.TextTokenizer.load(file)) {
      System.out.printf("vocab: %d pieces, counted on %d documents -> %s%n", t.vocabSize(), texts.size(), file);
    }
    return 0;
  }
}
