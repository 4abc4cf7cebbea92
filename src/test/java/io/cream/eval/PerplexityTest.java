package io.cream.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.util.UserError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Perplexity against a model with known log-probabilities, whole and through sliding windows. */
class PerplexityTest {
  @TempDir Path dir;
  private final List<String> texts = new ArrayList<>();

  @BeforeEach
  void writeDocuments() throws IOException {
    SplittableRandom rng = new SplittableRandom(99);
    String[] vocab = {"alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"};
    int[] words = {60, 140, 320};
    for (int w : words) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < w; i++) sb.append(vocab[rng.nextInt(vocab.length)]).append(i % 13 == 12 ? "\n" : " ");
      texts.add(sb.toString());
    }
    Files.writeString(dir.resolve("a.txt"), texts.get(0));
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("b.txt.gz")))) {
      out.write(texts.get(1).getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(dir.resolve("c.txt"), texts.get(2));
  }

  /** Context each token gets under strided windows: closed form, independent of the implementation. */
  static int contextOf(int t, int window, int stride) {
    if (t < window) return t;
    int k = (t - window) / stride + 1; // the first window [kS, kS+W) that reaches t
    return t - k * stride;
  }

  /** Σ NLL over tokens 1..L-1 in float64, each with the context the windows give it. */
  static double referenceNll(int[] ids, int length, int window, int stride) {
    double nll = 0;
    for (int t = 1; t < length; t++) nll -= KnownLogProbModel.logProb(ids[t], ids[t - 1], contextOf(t, window, stride));
    return nll;
  }

  /** Token-weighted perplexity of the first `length` tokens of the given documents. */
  double referencePpl(KnownLogProbModel model, List<Integer> docs, int length, int window, int stride) {
    double nll = 0;
    long count = 0;
    for (int d : docs) {
      nll += referenceNll(model.encode(texts.get(d)), length, window, stride);
      count += length - 1;
    }
    return Math.exp(nll / count);
  }

  private static void assertClose(double ref, double out) {
    assertTrue(Double.isFinite(out), "not finite: " + out);
    assertTrue(Math.abs(out - ref) / Math.abs(ref) < 1e-12, "out " + out + " ref " + ref);
  }

  private EvalResults run(KnownLogProbModel model, EvalOptions o) {
    return EvalResults.read(EvalRunner.run("ppl", model, o, dir.resolve("out"), new PrintStream(new ByteArrayOutputStream())));
  }

  @Test
  void wholeSequencesMatchTheReference() {
    KnownLogProbModel model = new KnownLogProbModel(Integer.MAX_VALUE);
    EvalOptions o = EvalOptions.defaults().withDataDir(dir).withLengths(List.of(40, 100, 250)).withSamples(2);
    EvalResults r = run(model, o);
    // Documents have 61, 141 and 321 tokens (BOS + words): 40 uses a and b, 100 uses b and c, 250 only c.
    assertClose(referencePpl(model, List.of(0, 1), 40, 40, 40), r.cells().get(0).perplexity());
    assertClose(referencePpl(model, List.of(1, 2), 100, 100, 100), r.cells().get(1).perplexity());
    assertClose(referencePpl(model, List.of(2), 250, 250, 250), r.cells().get(2).perplexity());
    assertEquals(List.of(2, 2, 1), r.cells().stream().map(CellSummary::n).toList());
    assertEquals(List.of("a.txt", "b.txt.gz", "b.txt.gz", "c.txt", "c.txt"), r.records().stream().map(CaseRecord::document).toList());
    for (CaseRecord rec : r.records()) {
      assertEquals(rec.length() - 1, rec.scoredTokens());
      assertNull(rec.correct());
    }
    assertNull(r.cells().getFirst().accuracy());
  }

  @Test
  void lengthsBeyondTheContextLimitUseSlidingWindows() {
    KnownLogProbModel model = new KnownLogProbModel(64);
    EvalOptions o = EvalOptions.defaults().withDataDir(dir).withLengths(List.of(40, 100, 250)).withSamples(2);
    EvalResults r = run(model, o);
    assertClose(referencePpl(model, List.of(0, 1), 40, 40, 40), r.cells().get(0).perplexity());
    assertClose(referencePpl(model, List.of(1, 2), 100, 64, 32), r.cells().get(1).perplexity());
    assertClose(referencePpl(model, List.of(2), 250, 64, 32), r.cells().get(2).perplexity());
  }

  @Test
  void explicitWindowAndStride() {
    KnownLogProbModel model = new KnownLogProbModel(Integer.MAX_VALUE);
    EvalOptions o = EvalOptions.defaults().withDataDir(dir).withLengths(List.of(100)).withSamples(1).withPplWindow(30, 7);
    EvalResults r = run(model, o);
    assertClose(referencePpl(model, List.of(1), 100, 30, 7), r.cells().getFirst().perplexity());
    // Each token is predicted exactly once, whatever the stride.
    assertEquals(99, r.records().getFirst().scoredTokens());
  }

  @Test
  void lengthsNoDocumentReachesHaveNoScore() {
    EvalResults r = run(new KnownLogProbModel(Integer.MAX_VALUE),
        EvalOptions.defaults().withDataDir(dir).withLengths(List.of(100, 5000)).withSamples(5));
    assertEquals(0, r.cells().get(1).n());
    assertNull(r.cells().get(1).perplexity());
  }

  @Test
  void missingDataFolderIsAUserError() {
    var model = new KnownLogProbModel(100);
    UserError e = assertThrows(UserError.class, () -> run(model, EvalOptions.defaults().withLengths(List.of(10))));
    assertTrue(e.getMessage().contains("--data"), e.getMessage());
  }
}
