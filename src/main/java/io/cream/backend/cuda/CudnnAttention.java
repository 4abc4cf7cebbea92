package io.cream.backend.cuda;

import static io.cream.backend.cuda.CudnnSdpaGraphs.*;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import io.cream.backend.AttentionShape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Causal attention through cuDNN's fused flash-attention engines (Hopper wgmma kernels) in
 * {@link Precision#BF16}, head dim 64 or 128: forward and backward of training shapes (queryLen =
 * keyLen = kvStride), and the forward of prefill chunks (a whole prompt, or a chunk of at least 64
 * queries after earlier keys of a KV cache; decoding steps stay on cream's kernels). The
 * operation graphs are the ones cuDNN's frontend builds for PyTorch's
 * scaled_dot_product_attention ({@link CudnnSdpaGraphs}); this class plans them per shape, runs
 * them and converts between cream's tensors and cuDNN's.
 *
 * <p>cuDNN reads and writes bf16; cream's tensors stay fp32, so q, k, v and dOut are rounded to
 * bf16 copies (as the bf16 kernels of {@link CudaAttention} do) and the bf16 gradients widened
 * exactly. The output is written as it is when out is a bf16 tensor (training keeps o_proj's
 * input so), else widened too. The statistic lives in cream's lse tensor in cream's layout ([rows
 * × heads], natural log), converted from and to cuDNN's [batch × heads × len]. cuDNN accumulates
 * dQ in an fp32 buffer and makes no promise of run-to-run identical bits (two runs were identical
 * on an H200); CREAM_CUDNN=0 selects cream's own deterministic kernels.
 */
final class CudnnAttention {

  private final Workspace ws;
  private final Cudnn dnn;
  private final Map<AttentionShape, Plan> forwardPlans = new HashMap<>();
  private final Map<AttentionShape, Plan> backwardPlans = new HashMap<>();
  /** Unmasked forwards of a chunk's queries over the keys before it (see {@link #forward}). */
  private final Map<AttentionShape, Plan> earlierKeyPlans = new HashMap<>();
  /** Chunks of fewer queries (decoding steps) stay on cream's split-key kernels. */
  private static final int MIN_CHUNK_QUERIES = 64;

  /** The three graphs built here. */
  private enum Pass { CAUSAL_FORWARD, EARLIER_KEYS_FORWARD, BACKWARD }
  /** Host scalars passed by value: the softmax scale is per shape, -inf and 1 fixed. */
  private final MemorySegment negInf, one;

  /** A planned graph of one shape and pass, or why cuDNN refused it. */
  private record Plan(CudnnGraph graph, MemorySegment scale, String refusal) {}

  private CudnnAttention(Workspace ws, Cudnn dnn) {
    this.ws = ws;
    this.dnn = dnn;
    negInf = Arena.global().allocateFrom(JAVA_FLOAT, Float.NEGATIVE_INFINITY);
    one = Arena.global().allocateFrom(JAVA_FLOAT, 1f);
  }

  /**
   * cuDNN attention for this backend, or null: not bf16, switched off, a GPU older than sm_80, or
   * no cuDNN 9 found (then cream's own kernels run; {@link Cudnn#unavailableReason()} says why).
   */
  static CudnnAttention open(Workspace ws, Precision precision) {
    if (precision != Precision.BF16 || !enabled()) return null;
    if (!ws.ctx.ampereOrNewer) return null;
    Cudnn dnn = Cudnn.open(ws.ctx);
    return dnn == null ? null : new CudnnAttention(ws, dnn);
  }

  /** The system property that overrides CREAM_CUDNN for one JVM (tests pin cream's kernels). */
  static final String SWITCH = "cream.cudnn";

  /** cuDNN is used unless -Dcream.cudnn=0 or CREAM_CUDNN=0 says otherwise. */
  static boolean enabled() {
    String v = System.getProperty(SWITCH, System.getenv("CREAM_CUDNN"));
    return !"0".equals(v);
  }

  /** Destroys every planned graph; a later call plans again. */
  void close() {
    for (Map<AttentionShape, Plan> cache : List.of(forwardPlans, earlierKeyPlans, backwardPlans)) {
      for (Plan p : cache.values()) if (p.graph() != null) p.graph().close();
      cache.clear();
    }
  }

  String description() {
    return "cuDNN " + dnn.version + " (" + dnn.libraryPath + ")";
  }

  /**
   * Whether the forward of this shape runs here: head dim 64 or 128, cuDNN plans it, and either
   * every query sees every earlier key of its own sequence (queryLen = keyLen: training, or a
   * prefill in one chunk, whose KV cache may be longer), or a prefill chunk of at least
   * MIN_CHUNK_QUERIES queries comes after earlier keys of the cache. Either pass may run here
   * while the other runs cream's kernels: both keep lse in cream's layout and units.
   */
  boolean supportsForward(AttentionShape s) {
    if (s.headDim() != 64 && s.headDim() != 128) return false;
    if (s.queryLen() == s.keyLen()) return plan(s, Pass.CAUSAL_FORWARD).refusal() == null;
    if (s.queryLen() < MIN_CHUNK_QUERIES) return false;
    return plan(diagonal(s), Pass.CAUSAL_FORWARD).refusal() == null
        && plan(s, Pass.EARLIER_KEYS_FORWARD).refusal() == null;
  }

  /** The same for the backward: training shapes only (queryLen = keyLen = kvStride). */
  boolean supportsBackward(AttentionShape s) {
    if (s.queryLen() != s.keyLen() || s.keyLen() != s.kvStride() || !supportsForward(s)) {
      return false;
    }
    return plan(s, Pass.BACKWARD).refusal() == null;
  }

  /** A chunk's queries over its own keys (the causal square at the end of its keys). */
  private static AttentionShape diagonal(AttentionShape s) {
    return new AttentionShape(s.batch(), s.heads(), s.kvHeads(), s.headDim(), s.queryLen(),
        s.queryLen(), s.kvStride());
  }

  private Plan plan(AttentionShape s, Pass pass) {
    Map<AttentionShape, Plan> cache = switch (pass) {
      case CAUSAL_FORWARD -> forwardPlans;
      case EARLIER_KEYS_FORWARD -> earlierKeyPlans;
      case BACKWARD -> backwardPlans;
    };
    Plan p = cache.get(s);
    if (p != null) return p;
    try {
      CudnnGraph g = switch (pass) {
        case CAUSAL_FORWARD -> CudnnSdpaGraphs.forward(dnn, s, s.queryLen(), true);
        case EARLIER_KEYS_FORWARD -> CudnnSdpaGraphs.forward(dnn, s, s.causalOffset(), false);
        case BACKWARD -> CudnnSdpaGraphs.backward(dnn, s);
      };
      p = new Plan(g, Arena.global().allocateFrom(JAVA_FLOAT, (float) s.scale()), null);
    } catch (CudaException e) {
      p = new Plan(null, null, e.getMessage());
      System.err.println("attention: cuDNN cannot run " + pass.name().toLowerCase() + " of " + s
          + ", cream's kernels will: " + e.getMessage());
    }
    cache.put(s, p);
    return p;
  }

  // ---- execution ----

  /**
   * Forward of a shape {@link #supportsForward} accepts. A chunk after earlier keys runs in two
   * parts over disjoint keys, both on cuDNN: its queries over every earlier key (no mask), and
   * over its own keys (the causal square, K and V read from row causalOffset on); the parts'
   * outputs are then weighted by their softmax mass, exp(lse), which is exact: softmax over the
   * union of the keys.
   */
  void forward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, CudaTensor out,
      CudaTensor lse) {
    Bf16Cast cast = new Bf16Cast(ws);
    long statCount = (long) s.queryRows() * s.heads();
    boolean chunk = s.queryLen() < s.keyLen();
    try (Workspace.Scratch qb = cast.copyOf(q); Workspace.Scratch kb = cast.copyOfKv(s, k);
        Workspace.Scratch vb = cast.copyOfKv(s, v);
        Workspace.Scratch ob = out.isBf16() && !chunk ? null
            : ws.scratch(out.size() * Bf16Cast.BYTES);
        Workspace.Scratch stats = ws.scratch(statCount * Workspace.FLOAT)) {
      long o = ob != null ? ob.pointer : out.pointer();
      if (!chunk) {
        run(s, Pass.CAUSAL_FORWARD, qb.pointer, kb.pointer, vb.pointer, o, stats.pointer);
        if (ob != null) cast.widen(ob.pointer, out.pointer(), out.size());
        statsLayout(s, stats.pointer, lse.pointer(), false);
        return;
      }
      long ownKeys = (long) s.causalOffset() * s.kvCols() * Bf16Cast.BYTES; // row offset, bytes
      try (Workspace.Scratch earlierO = ws.scratch(out.size() * Bf16Cast.BYTES);
          Workspace.Scratch earlierStats = ws.scratch(statCount * Workspace.FLOAT)) {
        run(s, Pass.EARLIER_KEYS_FORWARD, qb.pointer, kb.pointer, vb.pointer, earlierO.pointer,
            earlierStats.pointer);
        run(diagonal(s), Pass.CAUSAL_FORWARD, qb.pointer, kb.pointer + ownKeys,
            vb.pointer + ownKeys, o, stats.pointer);
        ws.kernel("elementwise", "attention_merge2").call().grid(ws.gridFor(out.size()))
            .block(Workspace.THREADS).ptr(earlierO.pointer).ptr(earlierStats.pointer).ptr(o)
            .ptr(stats.pointer).ptr(out.pointer()).ptr(lse.pointer()).i32(s.batch())
            .i32(s.heads()).i32(s.queryLen()).i32(s.headDim()).i32(out.isBf16() ? 1 : 0)
            .launch();
      }
    }
  }

  /** One planned forward graph on bf16 q, k, v (device addresses) into bf16 o and stats. */
  private void run(AttentionShape s, Pass pass, long q, long k, long v, long o, long stats) {
    Plan p = plan(s, pass);
    CudnnGraph g = p.graph();
    List<Long> uids = new ArrayList<>(List.of(Q, K, V, O, STATS, SCALE));
    List<MemorySegment> ptrs = new ArrayList<>(List.of(device(q), device(k), device(v),
        device(o), device(stats), p.scale()));
    if (pass == Pass.CAUSAL_FORWARD) { // only the masked graph has the −∞ scalar
      uids.add(NEG_INF);
      ptrs.add(negInf);
    }
    try (Workspace.Scratch work = ws.scratch(Math.max(1, g.workspaceBytes()))) {
      g.execute(uids.stream().mapToLong(Long::longValue).toArray(),
          ptrs.toArray(MemorySegment[]::new), work.pointer);
    }
  }

  void backward(AttentionShape s, CudaTensor q, CudaTensor k, CudaTensor v, CudaTensor out,
      CudaTensor lse, CudaTensor dOut, CudaTensor dq, CudaTensor dk, CudaTensor dv) {
    Plan p = plan(s, Pass.BACKWARD);
    Bf16Cast cast = new Bf16Cast(ws);
    long statCount = (long) s.queryRows() * s.heads();
    CudnnGraph g = p.graph();
    try (Workspace.Scratch qb = cast.copyOf(q); Workspace.Scratch kb = cast.copyOf(k);
        Workspace.Scratch vb = cast.copyOf(v);
        Workspace.Scratch ob = out.isBf16() ? null : cast.copyOf(out);
        Workspace.Scratch dob = cast.copyOf(dOut);
        Workspace.Scratch stats = ws.scratch(statCount * Workspace.FLOAT);
        Workspace.Scratch softmaxSum = ws.scratch(statCount * Workspace.FLOAT);
        Workspace.Scratch dqAccum = ws.scratch(q.size() * Workspace.FLOAT);
        Workspace.Scratch dqb = ws.scratch(dq.size() * Bf16Cast.BYTES);
        Workspace.Scratch dkb = ws.scratch(dk.size() * Bf16Cast.BYTES);
        Workspace.Scratch dvb = ws.scratch(dv.size() * Bf16Cast.BYTES);
        Workspace.Scratch work = ws.scratch(Math.max(1, g.workspaceBytes()))) {
      statsLayout(s, lse.pointer(), stats.pointer, true);
      ws.ctx.driver.fill32(dqAccum.pointer, 0, q.size(), ws.ctx.stream);
      g.execute(new long[] {Q, K, V, O, DO, STATS, DQ, DK, DV, SOFTMAX_SUM, DQ_ACCUM, SCALE,
              NEG_INF, ONE},
          new MemorySegment[] {device(qb.pointer), device(kb.pointer), device(vb.pointer),
              device(ob != null ? ob.pointer : out.pointer()), device(dob.pointer),
              device(stats.pointer), device(dqb.pointer), device(dkb.pointer),
              device(dvb.pointer), device(softmaxSum.pointer), device(dqAccum.pointer), p.scale(),
              negInf, one}, work.pointer);
      cast.widen(dqb.pointer, dq.pointer(), dq.size());
      cast.widen(dkb.pointer, dk.pointer(), dk.size());
      cast.widen(dvb.pointer, dv.pointer(), dv.size());
    }
  }

  private static MemorySegment device(long pointer) {
    return MemorySegment.ofAddress(pointer);
  }

  private void statsLayout(AttentionShape s, long src, long dst, boolean toHeadsMajor) {
    long n = (long) s.queryRows() * s.heads();
    ws.kernel("elementwise", "stats_layout").call().grid(ws.gridFor(n)).block(Workspace.THREADS)
        .ptr(src).ptr(dst).i32(s.batch()).i32(s.heads()).i32(s.queryLen())
        .i32(toHeadsMajor ? 1 : 0).launch();
  }
}
