package io.cream.backend;

import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropy (loss and fused gradient, separate and in place), target log-probabilities and
 * argmax against {@link Reference64}. Logits have standard deviation 4 plus one row shifted by
 * +1000, which overflows exp without the max subtraction. Tolerance 1e-5 on the gradient (float32
 * exp and one scaling per element) and 1e-6 on losses (double sums of float32 exponentials).
 */
public abstract class LogitsOpTest {
  protected abstract Backend backend();

  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  private static final int VOCAB = 1003;
  private static final int[] TARGETS = {5, -1, 0, 1002, 77, 77, -1, 400, 9};

  private static double[] logits() {
    double[] x = gaussian(1, TARGETS.length * VOCAB, 4);
    for (int j = 0; j < VOCAB; j++) x[4 * VOCAB + j] += 1000;
    return TestData.roundToFloat(x); // the reference must see the float32 inputs
  }

  @Test
  void crossEntropyLossAndGradient() {
    double[] x = logits();
    float scale = 1f / 7;
    double refLoss = Reference64.crossEntropy(x, VOCAB, TARGETS);
    double[] refGrad = Reference64.crossEntropyBackward(x, VOCAB, TARGETS, scale);
    Tensor tx = upload(be, x, TARGETS.length, VOCAB);
    Tensor grad = be.zeros(TARGETS.length, VOCAB);
    be.fill(grad, 3f); // ignored rows must come back as zeros
    CrossEntropyLoss loss = be.crossEntropy(tx, TARGETS, grad, scale);
    assertEquals(7, loss.count());
    assertEquals(refLoss, loss.sum(), Math.abs(refLoss) * 1e-6);
    assertClose("dLogits", download(be, grad), refGrad, tol());
    assertClose("logits untouched", download(be, tx), x, 0);

    CrossEntropyLoss inPlace = be.crossEntropy(tx, TARGETS, tx, scale);
    assertEquals(loss.sum(), inPlace.sum(), Math.abs(refLoss) * 1e-6);
    assertClose("in-place dLogits", download(be, tx), refGrad, tol());

    CrossEntropyLoss lossOnly = be.crossEntropy(upload(be, x, TARGETS.length, VOCAB), TARGETS, null, 1f);
    assertEquals(refLoss, lossOnly.sum(), Math.abs(refLoss) * 1e-6);
  }

  @Test
  void targetLogProbsMatchReference() {
    double[] x = logits();
    double[] got = be.targetLogProbs(upload(be, x, TARGETS.length, VOCAB), TARGETS);
    assertClose("log p", got, Reference64.targetLogProbs(x, VOCAB, TARGETS), 1e-6);
    assertEquals(0.0, got[1]);
  }

  @Test
  void argmaxTakesTheFirstOfEqualMaxima() {
    double[] x = logits();
    int rows = TARGETS.length;
    int[] want = new int[rows];
    for (int r = 0; r < rows; r++) {
      for (int j = 1; j < VOCAB; j++) if (x[r * VOCAB + j] > x[r * VOCAB + want[r]]) want[r] = j;
    }
    x[2 * VOCAB + 600] = x[2 * VOCAB + want[2]] + 5; // a planted tie: 600 wins over 900
    x[2 * VOCAB + 900] = x[2 * VOCAB + 600];
    want[2] = 600;
    assertArrayEquals(want, be.argmax(upload(be, x, rows, VOCAB)));
  }

  @Test
  void rejectsBadTargets() {
    Tensor x = be.zeros(2, 5);
    assertThrows(IllegalArgumentException.class, () -> be.crossEntropy(x, new int[] {0, 5}, null, 1f));
    assertThrows(IllegalArgumentException.class, () -> be.crossEntropy(x, new int[] {-2, 0}, null, 1f));
    assertThrows(IllegalArgumentException.class, () -> be.targetLogProbs(x, new int[] {0}));
  }
}
