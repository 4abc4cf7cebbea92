package io.cream.backend.cuda;

import io.cream.backend.AdamWConfig;
import io.cream.backend.AttentionShape;
import io.cream.backend.Backend;
import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.HostFloats;
import io.cream.backend.OpChecks;
import io.cream.backend.Shapes;
import io.cream.backend.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The CUDA backend: float32 tensors in device memory, ops as NVRTC-compiled kernels and cuBLAS
 * products queued on one stream of one GPU. Arguments are checked exactly like the CPU backend
 * checks them ({@link Shapes}); then each op is delegated to one class per op family. Calls that
 * return host values (download, losses, argmax, sums) wait for the stream; the others return as
 * soon as their work is queued. Not thread-safe: use one backend from one thread at a time (any
 * thread: the device context is made current on the calling thread at every entry point).
 *
 * <p>Tensors are freed by closing them or, all at once, by closing the backend; freed memory is
 * cached for reuse ({@link DeviceAllocator}) and handed back to the driver on close.
 */
public final class CudaBackend implements Backend {
  private static Boolean available;
  private static String unavailableReason = "";

  private final CudaContext ctx;
  private final DeviceAllocator allocator;
  private final Workspace ws;
  private final CudaElementwise elementwise;
  private final CudaNorm norm;
  private final CudaLinear linear;
  private final CudaTokens tokens;
  private final CudaLogits logits;
  private final CudaAttention attention;
  private final CudaOptimizer optimizer;
  private final Bf16Cast cast;
  private final HostTransfers host;
  private final TensorStore store;
  private final Precision precision;
  private final OpChecks checks = new OpChecks(new OpChecks.Storage() {
    @Override
    public boolean overlaps(Tensor a, Tensor b) {
      return store.of(a).overlaps(store.of(b));
    }

    @Override
    public boolean sameStart(Tensor a, Tensor b) {
      return store.of(a).sameStart(store.of(b));
    }
  });

  /** A backend on GPU 0 with exact float32 matrix products. */
  public CudaBackend() {
    this(0, Precision.FP32);
  }

  /** A backend on GPU device (0-based) with exact float32 matrix products. */
  public CudaBackend(int device) {
    this(device, Precision.FP32);
  }

  /**
   * A backend on GPU device (0-based) multiplying in the given precision (see {@link Precision}).
   *
   * @throws CudaException when there is no usable CUDA driver, library or device
   */
  public CudaBackend(int device, Precision precision) {
    this.ctx = CudaContext.open(device);
    this.precision = precision;
    this.allocator = new DeviceAllocator(new DriverMemory(ctx));
    this.store = new TensorStore(this, ctx, allocator);
    this.ws = new Workspace(ctx, allocator);
    this.elementwise = new CudaElementwise(ws);
    this.norm = new CudaNorm(ws, elementwise);
    this.linear = new CudaLinear(ws, elementwise, precision);
    this.tokens = new CudaTokens(ws);
    this.logits = new CudaLogits(ws);
    this.optimizer = new CudaOptimizer(ws);
    this.attention = new CudaAttention(ws, ctx.ampereOrNewer, precision);
    this.cast = new Bf16Cast(ws);
    this.host = new HostTransfers(ws, cast);
  }

  /**
   * True when a CUDA driver, NVRTC, cuBLAS and at least one GPU are present; never throws. The
   * answer is computed once per process.
   */
  public static synchronized boolean isAvailable() {
    if (available == null) {
      try {
        available = CudaLibraries.get().driver.deviceCount() > 0;
        if (!available) unavailableReason = "the CUDA driver reports no GPU";
      } catch (Throwable t) {
        available = false;
        unavailableReason = t.getMessage();
      }
    }
    return available;
  }

  /** Why {@link #isAvailable()} is false ("" when it is true). */
  public static synchronized String unavailableReason() {
    isAvailable();
    return unavailableReason;
  }

  @Override
  public String name() {
    return "cuda:" + ctx.ordinal;
  }

  @Override
  public String precisionLabel() {
    return precision.label();
  }

  /** Free device memory, plus the caching allocator's idle blocks (it frees them when short). */
  @Override
  public long memoryAvailable() {
    return ctx.memoryInfo()[0] + allocator.cachedBytes();
  }

  @Override
  public int matmulInputBytes() {
    return precision == Precision.BF16 ? 2 : 4;
  }

  /** Device tensors are sized in longs; only uploads and downloads go through float arrays. */
  @Override
  public long maxTensorElements() {
    return Long.MAX_VALUE;
  }

  /** The GPU's name as the driver reports it, e.g. "NVIDIA H100 80GB HBM3". */
  @Override
  public String deviceName() {
    return ctx.deviceName;
  }

  /** Whether attention of this shape runs on the tensor-core kernels (head dim 64 or 128, sm_80+). */
  public boolean attentionOnTensorCores(AttentionShape s) {
    return attention.usesTensorCores(s);
  }

  /** 4096 prompt tokens per forward: a 7B chunk's activations are ~2 GB. */
  @Override
  public int promptChunk() {
    return 4096;
  }

  /** Which kernels run attention of this shape (cuDNN's fused kernels or cream's own). */
  @Override
  public String attentionImplementation(AttentionShape s) {
    return attention.implementation(s);
  }

  /** What the tensor cores are fed. */
  public Precision precision() {
    return precision;
  }

  /** The GPU's context and stream (for NCCL, which queues on the same stream). */
  CudaContext context() {
    return ctx;
  }

  /** The number of GPUs the driver sees; 0 where CUDA is unavailable. Never throws. */
  public static int deviceCount() {
    if (!isAvailable()) return 0;
    try {
      return CudaLibraries.get().driver.deviceCount();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Waits until all queued work has run (for timing); reports a failed kernel. */
  @Override
  public void synchronize() {
    ctx.synchronize();
  }

  /** Bytes held by live tensors now, and at most so far. */
  public long[] memoryInUse() {
    return new long[] {allocator.liveBytes(), allocator.peakLiveBytes()};
  }

  /** The most bytes live tensors have held at once so far: {@code memoryInUse()[1]}. */
  @Override
  public long peakBytes() {
    return memoryInUse()[1];
  }

  // ---- tensors ----

  @Override
  public Tensor zeros(int rows, int cols) {
    CudaTensor t = store.allocate(rows, cols);
    elementwise.fill(t, 0f);
    return t;
  }

  /**
   * In {@link Precision#BF16} a bf16 tensor (half the memory, no rounding before each product):
   * rmsNorm, swiglu and attention (as out) may write it, linear and linearBackward read it as x
   * and attentionBackward as out; swigluBackward may write it as dGate and dUp, and
   * linearBackward read it as dOut when no bias gradient is asked for; every other op rejects it. In FP32 and TF32 a plain float32 tensor, as on the CPU.
   */
  @Override
  public Tensor matmulInput(int rows, int cols) {
    if (precision != Precision.BF16) return zeros(rows, cols);
    CudaTensor t = store.allocate(rows, cols, CudaTensor.Dtype.BF16);
    // bf16 zero is 16 zero bits: whole 32-bit words (blocks are rounded up to 512 bytes)
    if (t.size() > 0) ws.ctx.driver.fill32(t.pointer(), 0, (t.size() + 1) / 2, ws.ctx.stream);
    return t;
  }

  /**
   * In {@link Precision#BF16} a bf16 weight (half the memory, rounded once per write instead of
   * once per product): {@link #write} and {@link #copy} from a float32 tensor round into it,
   * linear and linearBackward read it as w, download widens it; every other op rejects it. In
   * FP32 and TF32 a plain float32 tensor.
   */
  @Override
  public Tensor matmulWeight(int rows, int cols) {
    return matmulInput(rows, cols);
  }

  @Override
  public Tensor upload(float[] data, int rows, int cols) {
    Shapes.check(data != null && data.length == (long) rows * cols, "upload",
        (data == null ? "null" : data.length + " floats") + " for a " + rows + "×" + cols
            + " tensor");
    CudaTensor t = store.allocate(rows, cols);
    ws.upload(data, t.pointer());
    return t;
  }

  /** A bf16 tensor gets the values rounded to nearest even (through an fp32 scratch buffer). */
  @Override
  public void write(Tensor dst, float[] data) {
    checks.write(dst, data);
    CudaTensor d = store.of(dst);
    if (!d.isBf16()) {
      ws.upload(data, d.pointer());
      return;
    }
    try (Workspace.Scratch s = ws.scratch(Math.max(1, data.length) * Workspace.FLOAT)) {
      ws.upload(data, s.pointer);
      cast.round(s.pointer, d.pointer(), data.length);
    }
  }

  /** float32 values; a bf16 tensor's elements widened exactly. */
  @Override
  public float[] download(Tensor t) {
    CudaTensor c = store.of(t);
    return c.isBf16() ? ws.downloadBf16(c.pointer(), c.size())
        : ws.downloadFloats(c.pointer(), c.size());
  }

  /** Between float32 and bf16 tensors in either direction: rounded to nearest even, or widened. */
  @Override
  public void copy(Tensor src, Tensor dst) {
    checks.copy(src, dst);
    CudaTensor s = store.of(src), d = store.of(dst);
    if (s.isBf16() == d.isBf16()) {
      elementwise.copy(s, d);
    } else if (d.isBf16()) {
      cast.round(s.pointer(), d.pointer(), s.size());
    } else {
      cast.widen(s.pointer(), d.pointer(), s.size());
    }
  }

  // ---- host memory ----

  /** Page-locked (cuMemAllocHost): the copies below are DMA straight from and into it. */
  @Override
  public HostFloats hostFloats(long count) {
    return host.allocate(count);
  }

  /** Queued on the stream; from page-locked memory without staging (else the staged download). */
  @Override
  public HostCopy copyToHost(Tensor t, HostFloats dst, long at) {
    OpChecks.hostRange("copyToHost", t, dst, at);
    CudaTensor c = store.of(t);
    if (c.isBf16() || !dst.pinned()) return Backend.super.copyToHost(t, dst, at);
    return host.toHost(c, dst, at);
  }

  /** Queued on the stream; into a bf16 tensor rounded on the device (else the staged write). */
  @Override
  public HostCopy copyFromHost(HostFloats src, long at, Tensor t) {
    OpChecks.hostRange("copyFromHost", t, src, at);
    if (!src.pinned()) return Backend.super.copyFromHost(src, at, t);
    return host.fromHost(src, at, store.of(t));
  }

  @Override
  public void fill(Tensor t, float value) {
    elementwise.fill(of(t), value);
  }

  // ---- embedding ----

  @Override
  public void embedding(Tensor table, int[] ids, Tensor out) {
    checks.embedding(table, ids, out);
    tokens.embedding(of(table), ids, of(out));
  }

  @Override
  public void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable) {
    checks.embeddingBackward(dOut, ids, dTable);
    tokens.embeddingBackward(of(dOut), ids, of(dTable));
  }

  // ---- RMSNorm ----

  @Override
  public void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd) {
    checks.rmsNorm(x, weight, eps, out, rstd);
    norm.forward(of(x), of(weight), eps, store.of(out), of(rstd));
  }

  @Override
  public void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd,
      Tensor dx, boolean accumulateDx, Tensor dWeight) {
    checks.rmsNormBackward(dOut, x, weight, rstd, dx, dWeight);
    norm.backward(of(dOut), of(x), of(weight), of(rstd), orNull(dx), accumulateDx,
        orNull(dWeight));
  }

  // ---- linear ----

  @Override
  public void linear(Tensor x, Tensor w, Tensor bias, Tensor out) {
    checks.linear(x, w, bias, out);
    linear.forward(store.of(x), store.of(w), orNull(bias), of(out));
  }

  @Override
  public void linearBackward(Tensor dOut, Tensor x, Tensor w,
      Tensor dx, boolean accumulateDx, Tensor dW, Tensor dBias) {
    checks.linearBackward(dOut, x, w, dx, dW, dBias);
    linear.backward(dyOf(dOut, dBias), store.of(x), store.of(w), orNull(dx), accumulateDx, orNull(dW),
        orNull(dBias));
  }

  @Override
  public void linear(Tensor x, Tensor[] ws, Tensor[] biases, Tensor[] outs) {
    OpChecks.sameCount("linear", Arrays.asList(ws), Arrays.asList(outs));
    Tensor[] bs = biases == null ? new Tensor[ws.length] : biases;
    OpChecks.sameCount("linear", Arrays.asList(ws), Arrays.asList(bs));
    for (int i = 0; i < ws.length; i++) checks.linear(x, ws[i], bs[i], outs[i]);
    linear.forward(store.of(x), weights(ws), store.all(bs), store.all(outs));
  }

  @Override
  public void linearBackward(Tensor[] dOuts, Tensor x, Tensor[] ws, Tensor dx,
      boolean accumulateDx, Tensor[] dWs, Tensor[] dBiases) {
    Tensor[] dw = dWs == null ? new Tensor[ws.length] : dWs;
    Tensor[] db = dBiases == null ? new Tensor[ws.length] : dBiases;
    OpChecks.sameCount("linearBackward", Arrays.asList(ws), Arrays.asList(dOuts),
        Arrays.asList(dw), Arrays.asList(db));
    for (int i = 0; i < ws.length; i++) {
      checks.linearBackward(dOuts[i], x, ws[i], dx, dw[i], db[i]);
    }
    CudaTensor[] dys = new CudaTensor[ws.length];
    for (int i = 0; i < ws.length; i++) dys[i] = dyOf(dOuts[i], db[i]);
    linear.backward(dys, store.of(x), weights(ws), orNull(dx), accumulateDx,
        store.all(dw), store.all(db));
  }

  // ---- rotary position embedding ----

  @Override
  public void rope(Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim) {
    rotate("rope", q, k, cos, sin, headDim, 1f);
  }

  @Override
  public void ropeBackward(Tensor dq, Tensor dk, Tensor cos, Tensor sin, int headDim) {
    rotate("ropeBackward", dq, dk, cos, sin, headDim, -1f);
  }

  private void rotate(String op, Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim,
      float sign) {
    checks.rope(op, q, k, cos, sin, headDim);
    for (Tensor x : new Tensor[] {q, k}) {
      if (x == null) continue;
      tokens.rope(of(x), of(cos), of(sin), headDim, sign);
    }
  }

  // ---- attention ----

  @Override
  public void attention(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse) {
    checks.attention(s, q, k, v, out, lse);
    headDimLimit("attention", s);
    attention.forward(s, of(q), of(k), of(v), store.of(out), of(lse));
  }

  @Override
  public void attentionBackward(AttentionShape s, Tensor q, Tensor k, Tensor v, Tensor out,
      Tensor lse, Tensor dOut, Tensor dq, Tensor dk, Tensor dv) {
    checks.attentionBackward(s, q, k, v, out, lse, dOut, dq, dk, dv);
    headDimLimit("attentionBackward", s);
    attention.backward(s, of(q), of(k), of(v), store.of(out), of(lse), of(dOut), of(dq), of(dk),
        of(dv));
  }

  private static void headDimLimit(String op, AttentionShape s) {
    Shapes.check(s.headDim() <= CudaAttention.MAX_HEAD_DIM, op, "headDim " + s.headDim()
        + " is above the CUDA kernels' limit of " + CudaAttention.MAX_HEAD_DIM);
  }

  // ---- MLP ----

  @Override
  public void swiglu(Tensor gate, Tensor up, Tensor out) {
    checks.swiglu(gate, up, out);
    elementwise.swiglu(of(gate), of(up), store.of(out));
  }

  @Override
  public void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp) {
    checks.swigluBackward(dOut, gate, up, dGate, dUp);
    elementwise.swigluBackward(of(dOut), of(gate), of(up), store.of(dGate), store.of(dUp));
  }

  // ---- elementwise ----

  @Override
  public void add(Tensor a, Tensor b) {
    checks.add(a, b);
    elementwise.add(of(a), of(b));
  }

  @Override
  public void scale(Tensor t, float factor) {
    elementwise.scale(of(t), factor);
  }

  @Override
  public double sumOfSquares(Tensor t) {
    return elementwise.sumOfSquares(of(t));
  }

  /** All tensors in one pass and one wait ({@link CudaOptimizer#sumOfSquares}). */
  @Override
  public double sumOfSquares(List<? extends Tensor> tensors) {
    return optimizer.sumOfSquares(store.all(tensors));
  }

  // ---- loss and decoding ----

  @Override
  public CrossEntropyLoss crossEntropy(Tensor logitsIn, int[] targets, Tensor dLogits,
      float gradScale) {
    checks.crossEntropy(logitsIn, targets, dLogits);
    return logits.crossEntropy(of(logitsIn), targets, orNull(dLogits), gradScale);
  }

  @Override
  public double[] targetLogProbs(Tensor logitsIn, int[] targets) {
    checks.targetLogProbs(logitsIn, targets);
    return logits.targetLogProbs(of(logitsIn), targets);
  }

  @Override
  public int[] argmax(Tensor logitsIn) {
    return logits.argmax(of(logitsIn));
  }

  // ---- optimizer ----

  @Override
  public void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWConfig config, long t) {
    checks.adamW(param, grad, m, v, config, t);
    optimizer.adamW(of(param), of(grad), of(m), of(v), config, t);
  }

  /** Clipping and AdamW in three kernels over all tensors, one wait ({@link CudaOptimizer}). */
  @Override
  public double clipAndAdamW(List<? extends Tensor> params, List<? extends Tensor> grads,
      List<? extends Tensor> m, List<? extends Tensor> v, AdamWConfig config, long t,
      double maxNorm) {
    OpChecks.sameCount("clipAndAdamW", params, grads, m, v);
    for (int i = 0; i < params.size(); i++) {
      checks.adamW(params.get(i), grads.get(i), m.get(i), v.get(i), config, t);
    }
    return optimizer.clipAndAdamW(store.all(params), store.all(grads), store.all(m), store.all(v),
        config, t, maxNorm);
  }

  /** Frees every tensor of this backend and returns the cached memory to the driver. */
  @Override
  public void close() {
    attention.close();
    store.closeAll();
  }

  /** Called by an owning tensor's close(). */
  void release(CudaTensor.Storage s) {
    store.release(s);
  }

  /** Linear layers' weights: float32, or bf16 {@link #matmulWeight}s. */
  private CudaTensor[] weights(Tensor[] ws) {
    CudaTensor[] out = new CudaTensor[ws.length];
    for (int i = 0; i < ws.length; i++) out[i] = store.of(ws[i]);
    return out;
  }

  /** A float32 tensor of this backend (ops that take bf16 call store.of instead). */
  private CudaTensor of(Tensor t) {
    return store.f32(t);
  }

  /** A linear layer's dOut: bf16 allowed (a matmulInput) unless its column sums (dBias) are. */
  private CudaTensor dyOf(Tensor dOut, Tensor dBias) {
    return dBias == null ? store.of(dOut) : of(dOut);
  }

  private CudaTensor orNull(Tensor t) {
    return store.f32OrNull(t);
  }

}
