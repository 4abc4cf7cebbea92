package io.cream.backend;

import static io.cream.backend.TestData.FD_TOL;
import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.dot;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.numericGradient;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every float64 reference backward against central differences of its float64 forward, on the
 * scalar loss L = Σ out·R with a random R (so dL/dout = R). This is what makes the references
 * trustworthy; the CPU (and later GPU) backward is then checked against them at full size.
 * Tolerance: see {@link TestData#numericGradient}.
 */
class Reference64Test {

  @Test
  void embeddingBackwardMatchesFiniteDifferences() {
    int vocab = 7, cols = 5;
    int[] ids = {3, 0, 3, 6, 2, 3};
    double[] table = gaussian(1, vocab * cols, 1);
    double[] r = gaussian(2, ids.length * cols, 1);
    double[] numeric = numericGradient(t -> dot(Reference64.embedding(t, cols, ids), r), table);
    assertClose("dTable", Reference64.embeddingBackward(r, cols, ids, vocab), numeric, FD_TOL);
  }

  @Test
  void rmsNormBackwardMatchesFiniteDifferences() {
    int rows = 3, cols = 9;
    double eps = 1e-5;
    double[] x = gaussian(3, rows * cols, 1);
    double[] w = gaussian(4, cols, 1);
    double[] r = gaussian(5, rows * cols, 1);
    double[][] analytic = Reference64.rmsNormBackward(r, x, cols, w, eps);
    assertClose("dx", analytic[0],
        numericGradient(a -> dot(Reference64.rmsNorm(a, cols, w, eps), r), x), FD_TOL);
    assertClose("dw", analytic[1],
        numericGradient(a -> dot(Reference64.rmsNorm(x, cols, a, eps), r), w), FD_TOL);
  }

  @Test
  void linearBackwardMatchesFiniteDifferences() {
    int n = 4, in = 5, out = 3;
    double[] x = gaussian(6, n * in, 1);
    double[] w = gaussian(7, out * in, 1);
    double[] bias = gaussian(8, out, 1);
    double[] r = gaussian(9, n * out, 1);
    double[][] analytic = Reference64.linearBackward(r, x, in, w, out);
    assertClose("dx", analytic[0],
        numericGradient(a -> dot(Reference64.linear(a, in, w, out, bias), r), x), FD_TOL);
    assertClose("dw", analytic[1],
        numericGradient(a -> dot(Reference64.linear(x, in, a, out, bias), r), w), FD_TOL);
    assertClose("dBias", analytic[2],
        numericGradient(a -> dot(Reference64.linear(x, in, w, out, a), r), bias), FD_TOL);
  }

  @Test
  void ropeBackwardIsTheTransposeAndMatchesFiniteDifferences() {
    int rows = 3, headDim = 6, cols = 2 * headDim;
    double[][] cs = Reference64.ropeTables(new long[] {5, 900, 31_000},
        new double[] {1.0, 0.1, 0.01});
    double[] x = gaussian(10, rows * cols, 1);
    double[] r = gaussian(11, rows * cols, 1);
    double[] analytic = Reference64.rope(r, cols, headDim, cs[0], cs[1], -1);
    assertClose("dx", analytic,
        numericGradient(a -> dot(Reference64.rope(a, cols, headDim, cs[0], cs[1], 1), r), x),
        FD_TOL);
  }

  @ParameterizedTest(name = "B={0} H={1} KV={2} d={3} Tq={4} Tk={5} stride={6}")
  @CsvSource({
    "2, 4, 2, 4, 3, 5, 6", // GQA 2:1, causal offset 2, KV-cache layout with a spare row
    "1, 2, 2, 3, 4, 4, 4", // plain causal self-attention
    "2, 4, 1, 2, 1, 3, 3", // one decode step, 4:1 groups
  })
  void attentionBackwardMatchesFiniteDifferences(int b, int h, int kvh, int d, int tq, int tk,
      int stride) {
    AttentionShape s = new AttentionShape(b, h, kvh, d, tq, tk, stride);
    double[] q = gaussian(12, s.queryRows() * s.queryCols(), 1);
    double[] k = gaussian(13, s.kvRows() * s.kvCols(), 1);
    double[] v = gaussian(14, s.kvRows() * s.kvCols(), 1);
    double[] r = gaussian(15, q.length, 1);
    ReferenceAttention64.Grads g = ReferenceAttention64.backward(s, q, k, v, r);
    assertClose("dq", g.dq(), numericGradient(
        a -> dot(ReferenceAttention64.forward(s, a, k, v).out(), r), q), FD_TOL);
    assertClose("dk", g.dk(), numericGradient(
        a -> dot(ReferenceAttention64.forward(s, q, a, v).out(), r), k), FD_TOL);
    assertClose("dv", g.dv(), numericGradient(
        a -> dot(ReferenceAttention64.forward(s, q, k, a).out(), r), v), FD_TOL);
  }

  @Test
  void attentionLseIsTheLogOfTheSoftmaxDenominator() {
    // One query that sees one key: softmax is 1, out = v, lse = q·k/√d.
    AttentionShape s = AttentionShape.causal(1, 1, 1, 4, 1);
    double[] q = {0.5, -1, 2, 0.25};
    double[] k = {1, 2, -0.5, 4};
    double[] v = {3, -2, 1, 0.5};
    ReferenceAttention64.Result res = ReferenceAttention64.forward(s, q, k, v);
    assertClose("out", res.out(), v, 1e-15);
    assertEquals(dot(q, k) / 2, res.lse()[0], 1e-15);
  }

  @Test
  void swigluBackwardMatchesFiniteDifferences() {
    int n = 17;
    double[] g = gaussian(16, n, 2);
    double[] u = gaussian(17, n, 1);
    double[] r = gaussian(18, n, 1);
    double[][] analytic = Reference64.swigluBackward(r, g, u);
    assertClose("dGate", analytic[0],
        numericGradient(a -> dot(Reference64.swiglu(a, u), r), g), FD_TOL);
    assertClose("dUp", analytic[1],
        numericGradient(a -> dot(Reference64.swiglu(g, a), r), u), FD_TOL);
  }

  @Test
  void crossEntropyBackwardMatchesFiniteDifferences() {
    int vocab = 11;
    int[] targets = {4, -1, 0, 10};
    double scale = 0.37;
    double[] logits = gaussian(19, targets.length * vocab, 3);
    assertClose("dLogits", Reference64.crossEntropyBackward(logits, vocab, targets, scale),
        numericGradient(a -> scale * Reference64.crossEntropy(a, vocab, targets), logits), FD_TOL);
  }

  @Test
  void targetLogProbsSumToMinusTheCrossEntropy() {
    int vocab = 13;
    int[] targets = {4, -1, 12, 0};
    double[] logits = gaussian(20, targets.length * vocab, 3);
    double sum = 0;
    for (double lp : Reference64.targetLogProbs(logits, vocab, targets)) sum += lp;
    assertEquals(-Reference64.crossEntropy(logits, vocab, targets), sum, 1e-12);
  }
}
