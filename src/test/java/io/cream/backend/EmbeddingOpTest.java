package io.cream.backend;

import static io.cream.backend.LinearOpTest.plus;
import static io.cream.backend.TestData.assertClose;
import static io.cream.backend.TestData.download;
import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.upload;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Embedding lookup and its scatter-add backward against {@link Reference64}. Ids repeat, so rows
 * that several tokens share must add up; the table gradient starts random, so it must accumulate.
 * Tolerance 1e-5: the lookup is exact, the backward adds a handful of float32 values.
 */
public abstract class EmbeddingOpTest {
  protected abstract Backend backend();

  protected double tol() {
    return 1e-5;
  }

  protected Backend be;

  @BeforeEach
  protected void setUp() {
    be = backend();
  }

  @Test
  void lookupAndScatterAddMatchReference() {
    int vocab = 50, cols = 300, n = 40;
    int[] ids = TestData.ids(1, n, vocab);
    ids[7] = ids[3];
    ids[8] = ids[3];
    ids[n - 1] = vocab - 1;
    double[] table = gaussian(2, vocab * cols, 1);
    Tensor tt = upload(be, table, vocab, cols);
    Tensor out = be.zeros(n, cols);
    be.embedding(tt, ids, out);
    assertClose("out", download(be, out), Reference64.embedding(table, cols, ids), 0);

    double[] dOut = gaussian(3, n * cols, 1);
    double[] d0 = gaussian(4, vocab * cols, 1);
    Tensor dTable = upload(be, d0, vocab, cols);
    be.embeddingBackward(upload(be, dOut, n, cols), ids, dTable);
    assertClose("dTable accumulated", download(be, dTable),
        plus(d0, Reference64.embeddingBackward(dOut, cols, ids, vocab)), tol());
  }

  @Test
  void rejectsIdsOutsideTheTable() {
    Tensor table = be.zeros(10, 4);
    assertThrows(IllegalArgumentException.class, () -> be.embedding(table, new int[] {1, 10}, be.zeros(2, 4)));
    assertThrows(IllegalArgumentException.class, () -> be.embedding(table, new int[] {-1, 0}, be.zeros(2, 4)));
    assertThrows(IllegalArgumentException.class, () -> be.embedding(table, new int[] {1, 2, 3}, be.zeros(2, 4)));
  }
}
