package io.cream.backend.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * One cuDNN operation graph, built node by node (tensors, pointwise, matmul, reduction, reshape
 * operations), then planned: cuDNN's heuristics (mode A) rank engine configurations and the
 * first that finalizes becomes the execution plan, as cuDNN's own frontend does. The graph owns
 * every descriptor it made and destroys them on {@link #close()}.
 */
final class CudnnGraph implements AutoCloseable {
  /** A tensor of the graph: its descriptor and its unique id (the key of the variant pack). */
  record Tensor(MemorySegment desc, long uid) {}

  private final Cudnn dnn;
  private final List<MemorySegment> owned = new ArrayList<>();
  private final List<MemorySegment> ops = new ArrayList<>();
  private MemorySegment plan;
  private long workspaceBytes;

  CudnnGraph(Cudnn dnn) {
    this.dnn = dnn;
  }

  private MemorySegment make(int type) {
    MemorySegment d = dnn.create(type);
    owned.add(d);
    return d;
  }

  /** A 4-d tensor; virtual ones live only inside the fused kernel. */
  Tensor tensor(long uid, int dataType, long[] dims, long[] strides, boolean virtual) {
    MemorySegment t = make(Cudnn.TENSOR);
    dnn.setInt(t, Cudnn.TENSOR_DATA_TYPE, Cudnn.TYPE_DATA_TYPE, dataType);
    dnn.setLongs(t, Cudnn.TENSOR_DIMENSIONS, Cudnn.TYPE_INT64, dims);
    dnn.setLongs(t, Cudnn.TENSOR_STRIDES, Cudnn.TYPE_INT64, strides);
    dnn.setLongs(t, Cudnn.TENSOR_UNIQUE_ID, Cudnn.TYPE_INT64, uid);
    dnn.setLongs(t, Cudnn.TENSOR_BYTE_ALIGNMENT, Cudnn.TYPE_INT64, 16);
    if (virtual) dnn.setBoolean(t, Cudnn.TENSOR_IS_VIRTUAL, true);
    dnn.finish(t, "tensor " + uid);
    return new Tensor(t, uid);
  }

  /** A float scalar passed by value (a host pointer in the variant pack). */
  Tensor scalar(long uid) {
    MemorySegment t = make(Cudnn.TENSOR);
    dnn.setInt(t, Cudnn.TENSOR_DATA_TYPE, Cudnn.TYPE_DATA_TYPE, Cudnn.DATA_FLOAT);
    dnn.setLongs(t, Cudnn.TENSOR_DIMENSIONS, Cudnn.TYPE_INT64, 1, 1, 1, 1);
    dnn.setLongs(t, Cudnn.TENSOR_STRIDES, Cudnn.TYPE_INT64, 1, 1, 1, 1);
    dnn.setLongs(t, Cudnn.TENSOR_UNIQUE_ID, Cudnn.TYPE_INT64, uid);
    dnn.setLongs(t, Cudnn.TENSOR_BYTE_ALIGNMENT, Cudnn.TYPE_INT64, 16);
    dnn.setBoolean(t, Cudnn.TENSOR_IS_BY_VALUE, true);
    dnn.finish(t, "scalar " + uid);
    return new Tensor(t, uid);
  }

  /** y = mode(x[, b]) (b null for unary modes); t: BINARY_SELECT's condition; axis ≥ 0: GEN_INDEX's. */
  void pointwise(int mode, int mathPrec, Tensor x, Tensor b, Tensor t, Tensor y, long axis) {
    MemorySegment pw = make(Cudnn.POINTWISE);
    dnn.setInt(pw, Cudnn.POINTWISE_MODE, Cudnn.TYPE_POINTWISE_MODE, mode);
    dnn.setInt(pw, Cudnn.POINTWISE_MATH_PREC, Cudnn.TYPE_DATA_TYPE, mathPrec);
    if (axis >= 0) dnn.setLongs(pw, Cudnn.POINTWISE_AXIS, Cudnn.TYPE_INT64, axis);
    dnn.finish(pw, "pointwise mode " + mode);
    MemorySegment op = make(Cudnn.OPERATION_POINTWISE);
    dnn.setDescriptors(op, Cudnn.OP_POINTWISE_PW_DESCRIPTOR, pw);
    dnn.setDescriptors(op, Cudnn.OP_POINTWISE_XDESC, x.desc());
    dnn.setDescriptors(op, Cudnn.OP_POINTWISE_YDESC, y.desc());
    if (b != null) dnn.setDescriptors(op, Cudnn.OP_POINTWISE_BDESC, b.desc());
    if (t != null) dnn.setDescriptors(op, Cudnn.OP_POINTWISE_TDESC, t.desc());
    dnn.setFloat(op, Cudnn.OP_POINTWISE_ALPHA1, 1f);
    dnn.setFloat(op, Cudnn.OP_POINTWISE_ALPHA2, 1f);
    dnn.finish(op, "pointwise operation " + mode + " → " + y.uid());
    ops.add(op);
  }

  /** Float-math pointwise y = mode(x[, b]). */
  void pointwise(int mode, Tensor x, Tensor b, Tensor y) {
    pointwise(mode, Cudnn.DATA_FLOAT, x, b, null, y, -1);
  }

  /** Batched c = a·b with fp32 accumulation (b given in its k × n view, any strides). */
  void matmul(Tensor a, Tensor b, Tensor c) {
    MemorySegment mm = make(Cudnn.MATMUL);
    dnn.setInt(mm, Cudnn.MATMUL_COMP_TYPE, Cudnn.TYPE_DATA_TYPE, Cudnn.DATA_FLOAT);
    dnn.finish(mm, "matmul");
    MemorySegment op = make(Cudnn.OPERATION_MATMUL);
    dnn.setDescriptors(op, Cudnn.OP_MATMUL_ADESC, a.desc());
    dnn.setDescriptors(op, Cudnn.OP_MATMUL_BDESC, b.desc());
    dnn.setDescriptors(op, Cudnn.OP_MATMUL_CDESC, c.desc());
    dnn.setDescriptors(op, Cudnn.OP_MATMUL_DESC, mm);
    dnn.finish(op, "matmul operation → " + c.uid());
    ops.add(op);
  }

  /** y = reduce(x) over the dimensions where y has extent 1 (or fewer heads: a GQA head sum). */
  void reduction(int reduceOp, Tensor x, Tensor y) {
    MemorySegment r = make(Cudnn.REDUCTION);
    dnn.setInt(r, Cudnn.REDUCTION_COMP_TYPE, Cudnn.TYPE_DATA_TYPE, Cudnn.DATA_FLOAT);
    dnn.setInt(r, Cudnn.REDUCTION_OPERATOR, Cudnn.TYPE_REDUCTION_OPERATOR, reduceOp);
    dnn.setBoolean(r, Cudnn.REDUCTION_IS_DETERMINISTIC, false);
    dnn.finish(r, "reduction");
    MemorySegment op = make(Cudnn.OPERATION_REDUCTION);
    dnn.setDescriptors(op, Cudnn.OP_REDUCTION_DESC, r);
    dnn.setDescriptors(op, Cudnn.OP_REDUCTION_XDESC, x.desc());
    dnn.setDescriptors(op, Cudnn.OP_REDUCTION_YDESC, y.desc());
    dnn.finish(op, "reduction operation → " + y.uid());
    ops.add(op);
  }

  /** y = x seen with y's dims, strides and type (a transpose or a conversion inside the kernel). */
  void reshape(Tensor x, Tensor y) {
    MemorySegment op = make(Cudnn.OPERATION_RESHAPE);
    dnn.setDescriptors(op, Cudnn.OP_RESHAPE_XDESC, x.desc());
    dnn.setDescriptors(op, Cudnn.OP_RESHAPE_YDESC, y.desc());
    dnn.finish(op, "reshape operation → " + y.uid());
    ops.add(op);
  }

  /**
   * Finalizes the graph and picks its plan: the best-ranked engine configuration that finalizes.
   *
   * @throws CudaException when cuDNN has no engine for the graph (the message names what)
   */
  void plan(String what) {
    MemorySegment graph = make(Cudnn.OPERATIONGRAPH);
    dnn.setDescriptors(graph, Cudnn.OPERATIONGRAPH_OPS, ops.toArray(MemorySegment[]::new));
    dnn.setHandle(graph, Cudnn.OPERATIONGRAPH_HANDLE);
    dnn.finish(graph, what + " operation graph");
    MemorySegment heuristics = make(Cudnn.ENGINEHEUR);
    dnn.setDescriptors(heuristics, Cudnn.ENGINEHEUR_OPERATION_GRAPH, graph);
    dnn.setInt(heuristics, Cudnn.ENGINEHEUR_MODE, Cudnn.TYPE_HEUR_MODE, Cudnn.HEUR_MODE_A);
    dnn.finish(heuristics, what + " heuristics");
    MemorySegment[] configs = dnn.engineConfigs(heuristics);
    owned.addAll(List.of(configs));
    int lastStatus = -1;
    for (MemorySegment config : configs) {
      MemorySegment p = dnn.create(Cudnn.EXECUTION_PLAN);
      dnn.setHandle(p, Cudnn.EXECUTION_PLAN_HANDLE);
      dnn.setDescriptors(p, Cudnn.EXECUTION_PLAN_ENGINE_CONFIG, config);
      lastStatus = dnn.finalizeStatus(p);
      if (lastStatus == 0) {
        owned.add(p);
        plan = p;
        workspaceBytes = dnn.workspaceSize(p);
        return;
      }
      dnn.destroy(p);
    }
    throw configs.length == 0
        ? new CudaException("cuDNN has no engine for the " + what + " graph")
        : dnn.failure("cuDNN plan for the " + what + " graph (" + configs.length
            + " engine configurations tried)", lastStatus);
  }

  long workspaceBytes() {
    return workspaceBytes;
  }

  /**
   * Runs the plan on the stream. uids and pointers pair up: device addresses for tensors, host
   * addresses of floats for by-value scalars.
   */
  void execute(long[] uids, MemorySegment[] pointers, long workspace) {
    MemorySegment pack = dnn.create(Cudnn.VARIANT_PACK);
    try (Arena a = Arena.ofConfined()) {
      dnn.set(pack, Cudnn.VARIANT_PACK_UNIQUE_IDS, Cudnn.TYPE_INT64, uids.length,
          a.allocateFrom(JAVA_LONG, uids));
      MemorySegment ptrs = a.allocate(ADDRESS, pointers.length);
      for (int i = 0; i < pointers.length; i++) ptrs.setAtIndex(ADDRESS, i, pointers[i]);
      dnn.set(pack, Cudnn.VARIANT_PACK_DATA_POINTERS, Cudnn.TYPE_VOID_PTR, pointers.length, ptrs);
      MemorySegment ws = a.allocate(ADDRESS);
      ws.set(ADDRESS, 0, MemorySegment.ofAddress(workspace));
      dnn.set(pack, Cudnn.VARIANT_PACK_WORKSPACE, Cudnn.TYPE_VOID_PTR, 1, ws);
      dnn.finish(pack, "variant pack");
      dnn.execute(plan, pack);
    } finally {
      dnn.destroy(pack);
    }
  }

  @Override
  public void close() {
    // Newest first: the plan before the configurations, graph, operations and tensors it refers to.
    for (int i = owned.size() - 1; i >= 0; i--) dnn.destroy(owned.get(i));
    owned.clear();
  }
}
