package io.cream.backend.cuda;

import static io.cream.backend.TestData.gaussian;
import static io.cream.backend.TestData.relErr;
import static io.cream.backend.TestData.toDouble;
import static io.cream.backend.TestData.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.Tensor;
import io.cream.backend.TestData;
import io.cream.backend.cpu.CpuBackend;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every op on the GPU against the CPU backend on fresh random inputs at model-like sizes (larger
 * than the op tests': several tiles, blocks and chunks). Both sides compute in float32 with
 * different summation orders, so they agree to ~1e-6; the tolerance is 1e-5 (TF32 products: 5e-3).
 * Each comparison is recorded for gpu-check's table ({@link GpuReport}).
 */
@Tag("gpu")
class CudaVsCpuTest {
  private static final double TOL = 1e-5;

  private CudaBackend gpu;
  private final CpuBackend cpu = new CpuBackend();
  private final Random seeds = new Random(20_260_301);

  @BeforeEach
  void setUp() {
    gpu = CudaTests.backend();
  }

  @AfterEach
  void tearDown() {
    if (gpu != null) gpu.close();
  }

  /** A fresh seed per input, so no two tensors share values. */
  private long seed() {
    return seeds.nextLong();
  }

  private float[] random(int n, double std) {
    return toFloat(gaussian(seed(), n, std));
  }

  private static void compare(String what, float[] got, float[] want, double tol) {
    double e = relErr(toDouble(got), toDouble(want));
    GpuReport.record(what, e, tol);
    assertTrue(e <= tol, what + ": GPU vs CPU relative error " + e + " exceeds " + tol);
  }

  /** The same data on both backends. */
  private record Pair(Tensor g, Tensor c) {}

  private Pair both(float[] data, int rows, int cols) {
    return new Pair(gpu.upload(data, rows, cols), cpu.upload(data, rows, cols));
  }

  private void compare(String what, Pair p, double tol) {
    compare(what, gpu.download(p.g), cpu.download(p.c), tol);
  }

  @Test
  void linearForwardAndBackward() {
    linear(gpu, "linear", TOL);
  }

  @Test
  void linearWithTf32() {
    try (CudaBackend tf32 = new CudaBackend(0, Precision.TF32)) {
      linear(tf32, "linear tf32", 5e-3);
    }
  }

  private void linear(Backend g, String name, double tol) {
    int n = 192, in = 320, out = 256;
    float[] x = random(n * in, 1), w = random(out * in, 0.1f), b = random(out, 1);
    float[] dy = random(n * out, 1), dw0 = random(out * in, 1), db0 = random(out, 1);
    Tensor gx = g.upload(x, n, in), gw = g.upload(w, out, in), gb = g.upload(b, 1, out);
    Tensor cx = cpu.upload(x, n, in), cw = cpu.upload(w, out, in), cb = cpu.upload(b, 1, out);
    Tensor gy = g.zeros(n, out), cy = cpu.zeros(n, out);
    g.linear(gx, gw, gb, gy);
    cpu.linear(cx, cw, cb, cy);
    compare(name + " y", g.download(gy), cpu.download(cy), tol);
    Tensor gdy = g.upload(dy, n, out), cdy = cpu.upload(dy, n, out);
    Tensor gdx = g.zeros(n, in), cdx = cpu.zeros(n, in);
    Tensor gdw = g.upload(dw0, out, in), cdw = cpu.upload(dw0, out, in);
    Tensor gdb = g.upload(db0, 1, out), cdb = cpu.upload(db0, 1, out);
    g.linearBackward(gdy, gx, gw, gdx, false, gdw, gdb);
    cpu.linearBackward(cdy, cx, cw, cdx, false, cdw, cdb);
    compare(name + " dx", g.download(gdx), cpu.download(cdx), tol);
    compare(name + " dW (accumulated)", g.download(gdw), cpu.download(cdw), tol);
    compare(name + " dBias (accumulated)", g.download(gdb), cpu.download(cdb), TOL);
  }

  @Test
  void rmsNormForwardAndBackward() {
    int rows = 300, cols = 1000; // 300 rows: several row chunks in the weight gradient
    Pair x = both(random(rows * cols, 2), rows, cols);
    Pair w = both(random(cols, 1), 1, cols);
    Pair y = both(new float[rows * cols], rows, cols);
    Pair rstd = both(new float[rows], rows, 1);
    gpu.rmsNorm(x.g, w.g, 1e-5f, y.g, rstd.g);
    cpu.rmsNorm(x.c, w.c, 1e-5f, y.c, rstd.c);
    compare("rmsNorm y", y, TOL);
    compare("rmsNorm rstd", rstd, TOL);
    Pair dy = both(random(rows * cols, 1), rows, cols);
    Pair dx = both(random(rows * cols, 1), rows, cols);
    Pair dw = both(random(cols, 1), 1, cols);
    gpu.rmsNormBackward(dy.g, x.g, w.g, rstd.g, dx.g, true, dw.g);
    cpu.rmsNormBackward(dy.c, x.c, w.c, rstd.c, dx.c, true, dw.c);
    compare("rmsNorm dx (accumulated)", dx, TOL);
    compare("rmsNorm dWeight (accumulated)", dw, TOL);
  }

  @Test
  void ropeAtScatteredPositions() {
    int rows = 100, headDim = 128, heads = 8, kvHeads = 2, half = headDim / 2;
    Random r = new Random(seed());
    double[] cos = new double[rows * half], sin = new double[rows * half];
    for (int i = 0; i < rows; i++) {
      long pos = r.nextInt(32_768);
      for (int j = 0; j < half; j++) {
        double angle = pos * Math.pow(500_000, -2.0 * j / headDim);
        cos[i * half + j] = Math.cos(angle);
        sin[i * half + j] = Math.sin(angle);
      }
    }
    Pair c = both(toFloat(cos), rows, half), s = both(toFloat(sin), rows, half);
    Pair q = both(random(rows * heads * headDim, 1), rows, heads * headDim);
    Pair k = both(random(rows * kvHeads * headDim, 1), rows, kvHeads * headDim);
    gpu.rope(q.g, k.g, c.g, s.g, headDim);
    cpu.rope(q.c, k.c, c.c, s.c, headDim);
    compare("rope q", q, TOL);
    compare("rope k", k, TOL);
    gpu.ropeBackward(q.g, k.g, c.g, s.g, headDim);
    cpu.ropeBackward(q.c, k.c, c.c, s.c, headDim);
    compare("ropeBackward q", q, TOL);
    compare("ropeBackward k", k, TOL);
  }

  @Test
  void attentionPrefill() {
    attention("attention prefill", AttentionShape.causal(2, 8, 2, 128, 333));
  }

  @Test
  void attentionDecodeOverACache() {
    attention("attention decode", new AttentionShape(3, 8, 1, 64, 1, 513, 600));
  }

  @Test
  void attentionChunkedPrefillHead64() {
    attention("attention chunk", new AttentionShape(1, 4, 4, 64, 100, 260, 300));
  }

  private void attention(String name, AttentionShape s) {
    Pair q = both(random(s.queryRows() * s.queryCols(), 1.5), s.queryRows(), s.queryCols());
    Pair k = both(random(s.kvRows() * s.kvCols(), 1.5), s.kvRows(), s.kvCols());
    Pair v = both(random(s.kvRows() * s.kvCols(), 1), s.kvRows(), s.kvCols());
    Pair out = both(new float[s.queryRows() * s.queryCols()], s.queryRows(), s.queryCols());
    Pair lse = both(new float[s.queryRows() * s.heads()], s.queryRows(), s.heads());
    gpu.attention(s, q.g, k.g, v.g, out.g, lse.g);
    cpu.attention(s, q.c, k.c, v.c, out.c, lse.c);
    compare(name + " out", out, TOL);
    compare(name + " lse", lse, TOL);
    Pair dOut = both(random(s.queryRows() * s.queryCols(), 1), s.queryRows(), s.queryCols());
    float[] sentinel = new float[s.kvRows() * s.kvCols()];
    java.util.Arrays.fill(sentinel, 7f); // rows past keyLen must keep it on both sides
    Pair dq = both(new float[s.queryRows() * s.queryCols()], s.queryRows(), s.queryCols());
    Pair dk = both(sentinel, s.kvRows(), s.kvCols());
    Pair dv = both(sentinel, s.kvRows(), s.kvCols());
    gpu.attentionBackward(s, q.g, k.g, v.g, out.g, lse.g, dOut.g, dq.g, dk.g, dv.g);
    cpu.attentionBackward(s, q.c, k.c, v.c, out.c, lse.c, dOut.c, dq.c, dk.c, dv.c);
    compare(name + " dq", dq, TOL);
    compare(name + " dk", dk, TOL);
    compare(name + " dv", dv, TOL);
  }

  @Test
  void swigluForwardAndBackward() {
    int rows = 64, cols = 2816;
    float[] gate = random(rows * cols, 3);
    gate[0] = 95f;
    gate[1] = -95f;
    Pair g = both(gate, rows, cols), u = both(random(rows * cols, 1), rows, cols);
    Pair out = both(new float[rows * cols], rows, cols);
    gpu.swiglu(g.g, u.g, out.g);
    cpu.swiglu(g.c, u.c, out.c);
    compare("swiglu", out, TOL);
    Pair d = both(random(rows * cols, 1), rows, cols);
    Pair dg = both(new float[rows * cols], rows, cols), du = both(new float[rows * cols], rows, cols);
    gpu.swigluBackward(d.g, g.g, u.g, dg.g, du.g);
    cpu.swigluBackward(d.c, g.c, u.c, dg.c, du.c);
    compare("swiglu dGate", dg, TOL);
    compare("swiglu dUp", du, TOL);
  }

  @Test
  void embeddingLookupAndScatterAdd() {
    int vocab = 1000, cols = 576, n = 700; // ids repeat (700 draws from 1000)
    int[] ids = TestData.ids(seed(), n, vocab);
    ids[5] = ids[500] = ids[699] = 3;
    Pair table = both(random(vocab * cols, 1), vocab, cols);
    Pair out = both(new float[n * cols], n, cols);
    gpu.embedding(table.g, ids, out.g);
    cpu.embedding(table.c, ids, out.c);
    assertArrayEquals(cpu.download(out.c), gpu.download(out.g), "embedding is a copy");
    GpuReport.record("embedding", 0, 0);
    Pair dOut = both(random(n * cols, 1), n, cols);
    gpu.embeddingBackward(dOut.g, ids, table.g);
    cpu.embeddingBackward(dOut.c, ids, table.c);
    // Same additions in the same order: bit-identical to the CPU.
    compare("embedding backward (accumulated)", table, 0);
  }

  @Test
  void crossEntropyLogProbsAndArgmax() {
    int rows = 48, vocab = 32_000;
    int[] targets = TestData.ids(seed(), rows, vocab);
    targets[3] = targets[17] = -1;
    float[] x = random(rows * vocab, 3);
    Pair logits = both(x, rows, vocab);
    double[] lpGpu = gpu.targetLogProbs(logits.g, targets);
    double[] lpCpu = cpu.targetLogProbs(logits.c, targets);
    double e = relErr(lpGpu, lpCpu);
    GpuReport.record("targetLogProbs", e, 1e-6);
    assertTrue(e <= 1e-6, "targetLogProbs relative error " + e);
    int[] am = gpu.argmax(logits.g);
    assertArrayEquals(cpu.argmax(logits.c), am, "argmax");
    GpuReport.record("argmax (exact)", 0, 0);
    float scale = 1f / 46;
    CrossEntropyLoss lg = gpu.crossEntropy(logits.g, targets, logits.g, scale);
    CrossEntropyLoss lc = cpu.crossEntropy(logits.c, targets, logits.c, scale);
    assertEquals(lc.count(), lg.count());
    double le = Math.abs(lg.sum() - lc.sum()) / Math.abs(lc.sum());
    GpuReport.record("crossEntropy loss", le, 1e-6);
    assertTrue(le <= 1e-6, "loss " + lg.sum() + " vs CPU " + lc.sum());
    compare("crossEntropy dLogits (in place)", logits, TOL);
  }

  @Test
  void adamWFiveSteps() {
    int rows = 1000, cols = 333;
    float[] p0 = random(rows * cols, 1);
    Pair p = both(p0, rows, cols);
    Pair m = both(new float[rows * cols], rows, cols), v = both(new float[rows * cols], rows, cols);
    AdamWConfig cfg = new AdamWConfig(3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f);
    for (int t = 1; t <= 5; t++) {
      Pair g = both(random(rows * cols, 0.3), rows, cols);
      gpu.adamW(p.g, g.g, m.g, v.g, cfg, t);
      cpu.adamW(p.c, g.c, m.c, v.c, cfg, t);
    }
    float[] pg = gpu.download(p.g), pc = cpu.download(p.c);
    // The kernel rounds every operation in the CPU's order: the two take identical steps.
    assertArrayEquals(pc, pg, "AdamW parameters differ from the CPU's");
    for (int i = 0; i < p0.length; i++) {
      pg[i] -= p0[i];
      pc[i] -= p0[i];
    }
    compare("adamW p − p0 (bit-identical)", pg, pc, 0);
    compare("adamW m (bit-identical)", m, 0);
    compare("adamW v (bit-identical)", v, 0);
  }

  @Test
  void sumOfSquaresAddAndScale() {
    int rows = 1500, cols = 2001; // 3,001,500 elements: many partial blocks
    Pair a = both(random(rows * cols, 1), rows, cols);
    Pair b = both(random(rows * cols, 1), rows, cols);
    gpu.add(a.g, b.g);
    cpu.add(a.c, b.c);
    compare("add", a, 0);
    gpu.scale(a.g, 0.731f);
    cpu.scale(a.c, 0.731f);
    compare("scale", a, 0);
    double sg = gpu.sumOfSquares(a.g), sc = cpu.sumOfSquares(a.c);
    double e = Math.abs(sg - sc) / sc;
    GpuReport.record("sumOfSquares", e, 1e-12);
    assertTrue(e <= 1e-12, "sum of squares " + sg + " vs CPU " + sc);
  }

  @Test
  void backwardKernelsAreDeterministic() {
    AttentionShape s = AttentionShape.causal(1, 4, 2, 64, 200);
    Tensor q = gpu.upload(random(s.queryRows() * s.queryCols(), 1), s.queryRows(), s.queryCols());
    Tensor k = gpu.upload(random(s.kvRows() * s.kvCols(), 1), s.kvRows(), s.kvCols());
    Tensor v = gpu.upload(random(s.kvRows() * s.kvCols(), 1), s.kvRows(), s.kvCols());
    Tensor out = gpu.zeros(s.queryRows(), s.queryCols()), lse = gpu.zeros(s.queryRows(), s.heads());
    gpu.attention(s, q, k, v, out, lse);
    Tensor dOut = gpu.upload(random(s.queryRows() * s.queryCols(), 1), s.queryRows(), s.queryCols());
    float[][] first = null;
    for (int run = 0; run < 2; run++) {
      Tensor dq = gpu.zeros(s.queryRows(), s.queryCols());
      Tensor dk = gpu.zeros(s.kvRows(), s.kvCols()), dv = gpu.zeros(s.kvRows(), s.kvCols());
      gpu.attentionBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
      float[][] now = {gpu.download(dq), gpu.download(dk), gpu.download(dv),
          new float[] {(float) gpu.sumOfSquares(dq)}};
      if (first == null) first = now;
      else for (int i = 0; i < now.length; i++) assertArrayEquals(first[i], now[i], "run 2, output " + i);
    }
  }
}
