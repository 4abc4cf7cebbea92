package io.cream.cli;

import io.cream.backend.Backend;
import io.cream.io.TextTokenizer;
import io.cream.model.Generator;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaModel;
import io.cream.model.ModelLoader;
import io.cream.model.Sampler;
import io.cream.util.UserError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Continue a prompt with a model, streaming the tokens as they come (greedy by default).")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder.") Path model;
  @Option(names = "--prompt", paramLabel = "TEXT", description = "The prompt (or --prompt-file).") String prompt;
  @Option(names = "--prompt-file", paramLabel = "FILE", description = "A UTF-8 file holding the prompt (or --prompt).") Path promptFile;
  @Option(names = "--max-new-tokens", defaultValue = "64", paramLabel = "K", description = "Most tokens to generate; EOS stops earlier (default: ${DEFAULT-VALUE}).") int maxNew;
  @Option(names = "--temperature", defaultValue = "0", paramLabel = "T", description = "Sampling temperature, 0 for greedy (default: ${DEFAULT-VALUE}).") double temperature;
  @Option(names = "--top-p", defaultValue = "0.9", paramLabel = "P", description = "With a temperature: sample from the smallest set of tokens whose probabilities sum to P (default: ${DEFAULT-VALUE}).") double topP;
  @Option(names = "--seed", defaultValue = "0", paramLabel = "X", description = "Seed of the sampling (default: ${DEFAULT-VALUE}).") long seed;
  @Mixin RopeOverride rope;
  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    UserError.require((prompt == null) != (promptFile == null), "give exactly one of --prompt TEXT or --prompt-file FILE");
    UserError.require(maxNew >= 1, "--max-new-tokens must be at least 1");
    UserError.require(temperature >= 0, "--temperature must be ≥ 0");
    UserError.require(topP > 0 && topP <= 1, "--top-p must be in (0, 1]");
    String text = prompt != null ? prompt : readPrompt(promptFile);
    try (Backend backend = device.open();
        LlamaModel m = ModelLoader.load(model, backend, rope.spec(model));
        TextTokenizer tok = TextTokenizer.load(model)) {
      int[] ids = tok.encode(text);
      UserError.require(ids.length > 0, "the prompt is empty");
      try (InferenceSession session = new InferenceSession(m, ids.length + maxNew)) {
        Sampler sampler = temperature == 0 ? Sampler.greedy()
            : new Sampler(temperature, topP, new SplittableRandom(seed));
        TokenStream stream = new TokenStream(tok, System.out, ids);
        System.out.print(text);
        Generator.generate(session, ids, maxNew, sampler, tok.eosId(), stream::add);
        stream.finish();
      }
    }
    return 0;
  }

  private static String readPrompt(Path f) throws java.io.IOException {
    UserError.require(Files.isRegularFile(f), "prompt file not found: " + f);
    return Files.readString(f, StandardCharsets.UTF_8);
  }

  /**
   * Prints generated text as it grows: decodes the tokens so far and prints what is new, so
   * multi-token characters come out right. Decoding starts from the prompt's last token and drops
   * its text, because SentencePiece-style decoders strip the leading space of a sequence ("of" +
   * "▁the" must print " the", not "the").
   */
  static final class TokenStream {
    private final TextTokenizer tok;
    private final java.io.PrintStream out;
    private final java.util.List<Integer> ids = new java.util.ArrayList<>();
    private final int prefixLength;
    private int printed;

    TokenStream(TextTokenizer tok, java.io.PrintStream out, int[] prompt) {
      this.tok = tok;
      this.out = out;
      if (prompt.length > 0 && prompt[prompt.length - 1] != tok.bosId()) ids.add(prompt[prompt.length - 1]);
      this.prefixLength = decoded().length();
    }

    void add(int id) {
      ids.add(id);
      String s = decoded();
      // Hold back trailing replacement chars: the next byte tokens may complete the character.
      int end = s.length();
      while (end > prefixLength + printed && s.charAt(end - 1) == '\uFFFD') end--;
      if (end > prefixLength + printed) {
        out.print(s.substring(prefixLength + printed, end));
        out.flush();
        printed = end - prefixLength;
      }
    }

    void finish() {
      String s = decoded();
      if (s.length() > prefixLength + printed) out.print(s.substring(prefixLength + printed));
      out.println();
      out.flush();
    }

    private String decoded() {
      return tok.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
    }
  }
}
