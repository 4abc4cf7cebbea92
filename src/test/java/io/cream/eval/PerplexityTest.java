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
    int[] words = {60, 140, 320, 400};
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
    Files.writeString(dir.resolve("d.txt"), texts.get(3));
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

  private EvalOptions options(PplProtocol protocol, Integer... lengths) {
    return EvalOptions.defaults().withDataDir(dir).withLengths(List.of(lengths)).withSamples(2).withPplProtocol(protocol);
  }

  @Test
  void referenceProtocolReadsTheSameLongDocumentsInOnePass() {
    KnownLogProbModel model = new KnownLogProbModel(Integer.MAX_VALUE);
    EvalResults r = run(model, options(PplProtocol.REFERENCE, 40, 100, 250));
    assertEquals(PplProtocol.REFERENCE, r.options().pplProtocol());
    // Documents have 61, 141, 321 and 401 tokens (BOS + words): only c and d reach 250, at every length.
    for (int i = 0; i < 3; i++) {
      int length = List.of(40, 100, 250).get(i);
      assertClose(referencePpl(model, List.of(2, 3), length, length, length), r.cells().get(i).perplexity());
    }
    assertEquals(List.of(2, 2, 2), r.cells().stream().map(CellSummary::n).toList());
    assertEquals(List.of("c.txt", "d.txt", "c.txt", "d.txt", "c.txt", "d.txt"), r.records().stream().map(CaseRecord::document).toList());
    for (CaseRecord rec : r.records()) {
      assertEquals(rec.length() - 1, rec.scoredTokens());
      assertNull(rec.correct());
    }
    assertNull(r.cells().getFirst().accuracy());
  }

  @Test
  void referenceProtocolRefusesWhatItCannotRun() {
    UserError tooLong = assertThrows(UserError.class, () -> run(new KnownLogProbModel(64), options(PplProtocol.REFERENCE, 40, 100)));
    assertTrue(tooLong.getMessage().contains("--ppl-protocol long"), tooLong.getMessage());
    UserError noDoc = assertThrows(UserError.class,
        () -> run(new KnownLogProbModel(Integer.MAX_VALUE), options(PplProtocol.REFERENCE, 100, 5000)));
    assertTrue(noDoc.getMessage().contains("5000 tokens"), noDoc.getMessage());
    UserError window = assertThrows(UserError.class,
        () -> run(new KnownLogProbModel(Integer.MAX_VALUE), options(PplProtocol.REFERENCE, 100).withPplWindow(30, 7)));
    assertTrue(window.getMessage().contains("--ppl-protocol long or strided"), window.getMessage());
  }

  /** The long protocol in float64: BOS + each window, mean NLL over the window, times its new tokens. */
  static double[] referenceLong(int[] ids, int length, int window, int stride) {
    int[] seq = java.util.Arrays.copyOfRange(ids, 1, length);
    double sum = 0;
    int count = 0;
    int prevEnd = 0;
    for (int begin = 0; begin < seq.length; begin += stride) {
      int end = Math.min(begin + window - 1, seq.length);
      double mean = 0;
      int previous = ids[0];
      for (int t = begin; t < end; t++) {
        mean -= KnownLogProbModel.logProb(seq[t], previous, t - begin + 1);
        previous = seq[t];
      }
      mean /= end - begin;
      sum += mean * (end - prevEnd);
      count += end - prevEnd;
      prevEnd = end;
      if (end == seq.length) break;
    }
    return new double[] {sum, count};
  }

  @Test
  void longProtocolSlidesAWindowAndWeighsEachMeanByItsNewTokens() {
    KnownLogProbModel model = new KnownLogProbModel(64);
    EvalResults r = run(model, options(PplProtocol.LONG, 100, 250));
    // Default window: the context limit (64, BOS included); stride an eighth of it (8).
    for (int i = 0; i < 2; i++) {
      int length = List.of(100, 250).get(i);
      double nll = 0;
      double count = 0;
      for (int d : List.of(2, 3)) {
        double[] ref = referenceLong(model.encode(texts.get(d)), length, 64, 8);
        nll += ref[0];
        count += ref[1];
      }
      assertEquals(2 * (length - 1), (int) count, "every token counted once");
      assertClose(Math.exp(nll / count), r.cells().get(i).perplexity());
    }
    EvalResults explicit = run(model, options(PplProtocol.LONG, 250).withPplWindow(40, 25));
    double[] c = referenceLong(model.encode(texts.get(2)), 250, 40, 25);
    double[] d = referenceLong(model.encode(texts.get(3)), 250, 40, 25);
    assertClose(Math.exp((c[0] + d[0]) / (c[1] + d[1])), explicit.cells().getFirst().perplexity());
    UserError unbounded = assertThrows(UserError.class, () -> run(new KnownLogProbModel(Integer.MAX_VALUE), options(PplProtocol.LONG, 100)));
    assertTrue(unbounded.getMessage().contains("--ppl-window"), unbounded.getMessage());
  }

  @Test
  void stridedProtocolUsesPerLengthDocumentsAndSlidingWindows() {
    KnownLogProbModel model = new KnownLogProbModel(64);
    EvalResults r = run(model, options(PplProtocol.STRIDED, 40, 100, 250));
    // 40 uses a and b, 100 uses b and c, 250 c and d: the first two that reach each length.
    assertClose(referencePpl(model, List.of(0, 1), 40, 40, 40), r.cells().get(0).perplexity());
    assertClose(referencePpl(model, List.of(1, 2), 100, 64, 32), r.cells().get(1).perplexity());
    assertClose(referencePpl(model, List.of(2, 3), 250, 64, 32), r.cells().get(2).perplexity());
    assertEquals(List.of("a.txt", "b.txt.gz", "b.txt.gz", "c.txt", "c.txt", "d.txt"), r.records().stream().map(CaseRecord::document).toList());
  }

  @Test
  void stridedExplicitWindowAndStride() {
    KnownLogProbModel model = new KnownLogProbModel(Integer.MAX_VALUE);
    EvalResults r = run(model, options(PplProtocol.STRIDED, 100).withSamples(1).withPplWindow(30, 7));
    assertClose(referencePpl(model, List.of(1), 100, 30, 7), r.cells().getFirst().perplexity());
    // Each token is predicted exactly once, whatever the stride.
    assertEquals(99, r.records().getFirst().scoredTokens());
  }

  @Test
  void stridedLengthsNoDocumentReachesHaveNoScore() {
    EvalResults r = run(new KnownLogProbModel(Integer.MAX_VALUE), options(PplProtocol.STRIDED, 100, 5000).withSamples(5));
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
