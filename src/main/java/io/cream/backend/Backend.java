package io.cream.backend;

import java.util.Arrays;
import java.util.List;

/**
 * The ops the model's explicit forward and backward passes are written in; one implementation per
 * device (CPU in float32; CUDA with float32 tensors, products in fp32, tf32 or bf16). See
 * package-info for the contract: shapes, ownership and which outputs accumulate. Every op is
 * coarse (one call covers all tokens of a batch) so a GPU implements it as one or a few kernels.
 * Arguments are checked with {@link Shapes}; a mismatch throws IllegalArgumentException.
 */
public interface Backend extends AutoCloseable {

  /** A short name for logs, e.g. "cpu" or "cuda:0". */
  String name();

  /** What the matrix products compute in: "fp32" here; a GPU may also run tf32 or bf16. */
  default String precisionLabel() {
    return "fp32";
  }

  // ---- device (for benchmarks and logs) ----

  /** The hardware the ops run on, as benchmarks print it: "CPU" here; a GPU's name from its driver. */
  default String deviceName() {
    return "CPU";
  }

  /**
   * Waits until all queued work has run, so that a clock read afterwards covers it: nothing to
   * wait for here (every op has finished when it returns).
   */
  default void synchronize() {}

  /** The most bytes live tensors have held at once so far, or -1 where that is not tracked (here). */
  default long peakBytes() {
    return -1;
  }

  // ---- memory (what {@link io.cream.model.MemoryEstimate} checks before allocating) ----

  /** Bytes still free for tensors: the Java heap's here (garbage counts as used until collected). */
  default long memoryAvailable() {
    Runtime r = Runtime.getRuntime();
    return r.maxMemory() - (r.totalMemory() - r.freeMemory());
  }

  /** Bytes per element of a {@link #matmulInput} tensor. */
  default int matmulInputBytes() {
    return 4;
  }

  /** The most elements one tensor may hold: a Java float array's limit here. */
  default long maxTensorElements() {
    return Integer.MAX_VALUE - 8;
  }

  // ---- tensors ----

  /** A new rows × cols tensor filled with zeros. */
  Tensor zeros(int rows, int cols);

  /**
   * A new zeroed rows × cols activation that only feeds matrix products: written by
   * {@link #rmsNorm} or {@link #swiglu} (as out), read by {@link #linear} and
   * {@link #linearBackward} (as x), downloaded, closed; nothing else. A backend that multiplies
   * in bf16 may store it in bf16 (so the products read it without rounding a copy first); the
   * default, and the CPU, is a plain float32 {@link #zeros} tensor.
   */
  default Tensor matmulInput(int rows, int cols) {
    return zeros(rows, cols);
  }

  /**
   * A new zeroed rows × cols weight that only feeds matrix products: read by {@link #linear} and
   * {@link #linearBackward} as w, written with {@link #write} or {@link #copy} (from a float32
   * tensor: the master copy), downloaded, closed; nothing else. A backend that multiplies in bf16
   * may store it in bf16 (rounded to nearest even once per write instead of once per product);
   * the default, and the CPU, is a plain float32 {@link #zeros} tensor.
   */
  default Tensor matmulWeight(int rows, int cols) {
    return zeros(rows, cols);
  }

  /** A new rows × cols tensor holding data (row-major, length rows·cols). */
  Tensor upload(float[] data, int rows, int cols);

  /** Overwrites dst with data (row-major, length dst.size()). */
  void write(Tensor dst, float[] data);

  /** All of t, row-major, as a new host array. */
  float[] download(Tensor t);

  /** dst ← src; same shape. */
  void copy(Tensor src, Tensor dst);

  /** Rows [dstRow, dstRow + count) of dst ← rows [srcRow, srcRow + count) of src (KV append). */
  default void copyRows(Tensor src, int srcRow, Tensor dst, int dstRow, int count) {
    copy(src.rows(srcRow, count), dst.rows(dstRow, count));
  }

  /** Every element of t ← value. */
  void fill(Tensor t, float value);

  default void zero(Tensor t) {
    fill(t, 0f);
  }

  // ---- host memory (the optimizer state kept off the device: --offload optimizer) ----

  /**
   * count zeroed float32 values of host memory outside the Java heap, of the kind this backend's
   * {@link #copyToHost} and {@link #copyFromHost} are fastest with: plain native memory here,
   * page-locked on a GPU.
   */
  default HostFloats hostFloats(long count) {
    return HostFloats.allocate(count);
  }

  /** A copy queued by {@link #copyToHost} or {@link #copyFromHost}. */
  interface HostCopy {
    /** Returns once the copy has run (at once here: the default copies run when called). */
    void await();

    HostCopy DONE = () -> {};
  }

  /**
   * Queues dst[at, at + t.size()) ← t (float32; a bf16 tensor widened exactly). Read dst only
   * after the returned copy's await(); the default copies at once.
   */
  default HostCopy copyToHost(Tensor t, HostFloats dst, long at) {
    OpChecks.hostRange("copyToHost", t, dst, at);
    dst.write(at, download(t));
    return HostCopy.DONE;
  }

  /**
   * Queues t ← src[at, at + t.size()) (rounded to nearest even for a bf16 {@link #matmulWeight}).
   * src must not change until the returned copy's await(); the default copies at once.
   */
  default HostCopy copyFromHost(HostFloats src, long at, Tensor t) {
    OpChecks.hostRange("copyFromHost", t, src, at);
    write(t, src.read(at, Math.toIntExact(t.size())));
    return HostCopy.DONE;
  }

  // ---- embedding ----

  /** out[r] ← table[ids[r]]; table [V × C], out [ids.length × C], ids in [0, V). */
  void embedding(Tensor table, int[] ids, Tensor out);

  /** dTable[ids[r]] += dOut[r] for every row r (repeated ids add up). */
  void embeddingBackward(Tensor dOut, int[] ids, Tensor dTable);

  // ---- RMSNorm ----

  /**
   * out = x / √(mean(x²) + eps) · weight, row by row; x and out [n × C], weight [1 × C]; writes the
   * reciprocal rms of each row into rstd [n × 1] for the backward. out may not alias x.
   */
  void rmsNorm(Tensor x, Tensor weight, float eps, Tensor out, Tensor rstd);

  /**
   * From dOut [n × C]: dx (overwritten, or added to when accumulateDx, which suits a residual
   * stream) and dWeight += Σ_rows dOut·x·rstd.
   */
  void rmsNormBackward(Tensor dOut, Tensor x, Tensor weight, Tensor rstd,
      Tensor dx, boolean accumulateDx, Tensor dWeight);

  // ---- linear ----

  /** out = x·wᵀ (+ bias); x [n × in], w [out × in] (Hugging Face layout), bias [1 × out] or null. */
  void linear(Tensor x, Tensor w, Tensor bias, Tensor out);

  /**
   * dx = dOut·w (overwritten, or added when accumulateDx; null to skip), dW += dOutᵀ·x (null to
   * skip, e.g. frozen weights), dBias += column sums of dOut (null when there is no bias).
   */
  void linearBackward(Tensor dOut, Tensor x, Tensor w,
      Tensor dx, boolean accumulateDx, Tensor dW, Tensor dBias);

  /**
   * Several linear layers of one input (q/k/v, gate/up): outs[i] = x·ws[i]ᵀ (+ biases[i]); biases
   * may be null, or hold nulls. The same as one {@link #linear} per layer, in order; one call so
   * that a backend can prepare x once (the GPU rounds it to bf16 once).
   */
  default void linear(Tensor x, Tensor[] ws, Tensor[] biases, Tensor[] outs) {
    OpChecks.sameCount("linear", Arrays.asList(ws), Arrays.asList(outs));
    if (biases != null) OpChecks.sameCount("linear", Arrays.asList(ws), Arrays.asList(biases));
    for (int i = 0; i < ws.length; i++) {
      linear(x, ws[i], biases == null ? null : biases[i], outs[i]);
    }
  }

  /**
   * The backward of {@link #linear(Tensor, Tensor[], Tensor[], Tensor[])}: the same as one
   * {@link #linearBackward} per layer in order, the first overwriting dx unless accumulateDx and
   * the others adding to it; dWs and dBiases may be null or hold nulls.
   */
  default void linearBackward(Tensor[] dOuts, Tensor x, Tensor[] ws, Tensor dx,
      boolean accumulateDx, Tensor[] dWs, Tensor[] dBiases) {
    OpChecks.sameCount("linearBackward", Arrays.asList(ws), Arrays.asList(dOuts));
    for (Tensor[] optional : new Tensor[][] {dWs, dBiases}) {
      if (optional != null) {
        OpChecks.sameCount("linearBackward", Arrays.asList(ws), Arrays.asList(optional));
      }
    }
    for (int i = 0; i < ws.length; i++) {
      linearBackward(dOuts[i], x, ws[i], dx, i > 0 || accumulateDx, dWs == null ? null : dWs[i],
          dBiases == null ? null : dBiases[i]);
    }
  }

  // ---- rotary position embedding ----

  /**
   * Rotates q [n × heads·headDim] and k [n × kvHeads·headDim] in place, rotate-half layout: for i
   * below headDim/2, x[i] ← x[i]·cos − x[i+d/2]·sin and x[i+d/2] ← x[i+d/2]·cos + x[i]·sin, with
   * cos, sin [n × headDim/2] holding each row's own angles (so position ids may be anything).
   * Either q or k may be null.
   */
  void rope(Tensor q, Tensor k, Tensor cos, Tensor sin, int headDim);

  /** The transpose of {@link #rope} applied in place to the gradients dq and dk (either null). */
  void ropeBackward(Tensor dq, Tensor dk, Tensor cos, Tensor sin, int headDim);

  // ---- attention ----

  /**
   * Causal grouped-query attention, out = softmax(q·kᵀ/√d + causal mask)·v per (sequence, head),
   * shapes in {@link AttentionShape}; writes out [queryRows × heads·headDim] and the log-sum-exp of
   * each (row, head) score row into lse [queryRows × heads] for the backward. Never builds a
   * T × T matrix.
   */
  void attention(AttentionShape shape, Tensor q, Tensor k, Tensor v, Tensor out, Tensor lse);

  /**
   * Prompt tokens an inference session feeds per forward by default: few on the CPU (one chunk's
   * activations stay in cache), many on a GPU (fewer, larger products; a prompt that fits one
   * chunk runs the training-shaped attention, on cuDNN where installed).
   */
  default int promptChunk() {
    return 256;
  }

  /** Which kernels run {@link #attention} of this shape, for logs (e.g. cuDNN's or cream's). */
  default String attentionImplementation(AttentionShape shape) {
    return "cream's " + name() + " kernels";
  }

  /**
   * Gradients of {@link #attention} given dOut and the forward's q, k, v, out and lse: overwrites
   * dq (q's shape) and the attended rows of dk and dv (k's shape; rows past keyLen of a KV-cache
   * layout are left untouched).
   */
  void attentionBackward(AttentionShape shape, Tensor q, Tensor k, Tensor v, Tensor out,
      Tensor lse, Tensor dOut, Tensor dq, Tensor dk, Tensor dv);

  // ---- MLP ----

  /** out = silu(gate)·up elementwise, silu(g) = g·sigmoid(g); all the same shape. */
  void swiglu(Tensor gate, Tensor up, Tensor out);

  /** Overwrites dGate and dUp with the gradients of {@link #swiglu} given dOut. */
  void swigluBackward(Tensor dOut, Tensor gate, Tensor up, Tensor dGate, Tensor dUp);

  // ---- elementwise ----

  /** a += b (residual connection); same shape. */
  void add(Tensor a, Tensor b);

  /** t ← t·factor. */
  void scale(Tensor t, float factor);

  /** Σ t² accumulated in double (global gradient-norm clipping sums it over all tensors). */
  double sumOfSquares(Tensor t);

  /**
   * Σ of every tensor's squares, in double: the squared global gradient norm. One call so that a
   * GPU can reduce all gradients before a single synchronisation.
   */
  default double sumOfSquares(List<? extends Tensor> tensors) {
    double s = 0;
    for (Tensor t : tensors) s += sumOfSquares(t);
    return s;
  }

  // ---- loss and decoding ----

  /**
   * Softmax cross-entropy of logits [n × V] against targets (one per row, -1 = ignored). Returns
   * the summed loss and the count of counted rows. When dLogits is not null (it may be logits
   * itself, to work in place) it is overwritten with (softmax − onehot(target))·gradScale, and with
   * zeros on ignored rows.
   */
  CrossEntropyLoss crossEntropy(Tensor logits, int[] targets, Tensor dLogits, float gradScale);

  /**
   * log softmax(logits[r])[targets[r]] for each row, in double; 0 for ignored rows (-1), so the
   * sum is the log-likelihood of the given targets. logits is left unchanged.
   */
  double[] targetLogProbs(Tensor logits, int[] targets);

  /** The index of the largest value of each row (the first on ties). */
  int[] argmax(Tensor logits);

  // ---- optimizer ----

  /**
   * One AdamW step at step t ≥ 1 on param with grad, updating the moments m and v (same shape,
   * zero-initialised before step 1): p −= lr·wd·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
   * p −= lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + eps).
   */
  void adamW(Tensor param, Tensor grad, Tensor m, Tensor v, AdamWConfig config, long t);

  /**
   * The optimizer step over every parameter: the global gradient norm n = √Σ‖grads[i]‖², then,
   * when maxNorm > 0 and n > maxNorm, each gradient scaled by (float) (maxNorm / n), then
   * {@link #adamW} on each (params[i], grads[i], m[i], v[i]) at step t. Returns n. When n is not
   * finite nothing is changed (the caller decides what to do). The gradients may be left scaled
   * or not. One call so that a GPU can do it in a few kernels with a single wait at the end.
   */
  default double clipAndAdamW(List<? extends Tensor> params, List<? extends Tensor> grads,
      List<? extends Tensor> m, List<? extends Tensor> v, AdamWConfig config, long t,
      double maxNorm) {
    OpChecks.sameCount("clipAndAdamW", params, grads, m, v);
    double norm = Math.sqrt(sumOfSquares(grads));
    if (!Double.isFinite(norm)) return norm;
    if (maxNorm > 0 && norm > maxNorm) {
      float s = (float) (maxNorm / norm);
      for (Tensor g : grads) scale(g, s);
    }
    for (int i = 0; i < params.size(); i++) {
      adamW(params.get(i), grads.get(i), m.get(i), v.get(i), config, t);
    }
    return norm;
  }

  /** Releases the backend's resources; its tensors must not be used afterwards. */
  @Override
  void close();
}
