package io.cream.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.Backend;
import io.cream.io.TextTokenizer;
import io.cream.model.InferenceSession;
import io.cream.model.LlamaModel;
import io.cream.model.ModelLoader;
import io.cream.util.Json;
import io.cream.util.UserError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
    description = {"Print the log-probability of every token of a text given the ones before it.",
        "The JSON also holds the total negative log-likelihood, the building block of perplexity."})
public final class ScoreCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face checkpoint folder.") Path model;
  @Option(names = "--text-file", required = true, paramLabel = "FILE", description = "The UTF-8 text to score.") Path textFile;
  @Option(names = "--max-tokens", paramLabel = "L", description = "Score only the first L tokens (default: all).") Integer maxTokens;
  @Option(names = "--format", defaultValue = "json", paramLabel = "FMT", description = "Output format; json is the only one (default: ${DEFAULT-VALUE}).") String format;
  @Mixin RopeOverride rope;
  @Mixin DeviceOption device;

  @Override
  public Integer call() throws Exception {
    UserError.require(format.equals("json"), "--format must be json");
    UserError.require(Files.isRegularFile(textFile), "text file not found: " + textFile);
    UserError.require(maxTokens == null || maxTokens >= 2, "--max-tokens must be at least 2");
    String text = Files.readString(textFile, StandardCharsets.UTF_8);
    try (Backend backend = device.open();
        LlamaModel m = ModelLoader.load(model, backend, rope.spec(model));
        TextTokenizer tok = TextTokenizer.load(model)) {
      int[] ids = tok.encode(text);
      if (maxTokens != null && ids.length > maxTokens) ids = Arrays.copyOf(ids, maxTokens);
      UserError.require(ids.length >= 2, "the text has fewer than 2 tokens; nothing to score");
      double[] lp;
      try (InferenceSession s = new InferenceSession(m, ids.length)) {
        lp = s.appendAndScore(ids, -1);
      }
      double nll = 0;
      for (double x : lp) nll -= x;
      ObjectNode out = Json.object();
      out.put("model", model.toString());
      out.put("rope", rope.describe());
      ArrayNode tokens = out.putArray("tokens");
      for (int id : ids) tokens.add(id);
      ArrayNode logprobs = out.putArray("logprobs");
      logprobs.addNull(); // the first token has no context
      for (double x : lp) logprobs.add(x);
      out.put("n_scored", lp.length);
      out.put("nll", nll);
      out.put("mean_nll", nll / lp.length);
      out.put("perplexity", Math.exp(nll / lp.length));
      System.out.println(Json.pretty(out));
    }
    return 0;
  }
}
