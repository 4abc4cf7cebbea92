package io.cream.backend.cuda;

/**
 * Per-token ops: the embedding lookup and its deterministic scatter-add backward (rows grouped by
 * id on the host, see {@link EmbeddingGroups}), and RoPE with per-row cos/sin tables.
 */
final class CudaTokens {
  private final Workspace ws;

  CudaTokens(Workspace ws) {
    this.ws = ws;
  }

  void embedding(CudaTensor table, int[] ids, CudaTensor out) {
    if (ids.length == 0) return;
    try (Workspace.Scratch dIds = ws.upload(ids)) {
      ws.kernel("embedding", "embedding_fwd").call().grid(ids.length).block(Workspace.THREADS)
          .ptr(table.pointer()).ptr(dIds.pointer).ptr(out.pointer()).i32(table.cols()).launch();
    }
  }

  void embeddingBackward(CudaTensor dOut, int[] ids, CudaTensor dTable) {
    if (ids.length == 0) return;
    EmbeddingGroups g = EmbeddingGroups.of(ids);
    int cols = dTable.cols();
    try (Workspace.Scratch unique = ws.upload(g.uniqueIds());
        Workspace.Scratch starts = ws.upload(g.starts());
        Workspace.Scratch rows = ws.upload(g.rowList())) {
      ws.kernel("embedding", "embedding_bwd").call()
          .grid(g.uniqueIds().length, Workspace.ceilDiv(cols, Workspace.THREADS), 1)
          .block(Workspace.THREADS).ptr(dOut.pointer()).ptr(unique.pointer).ptr(starts.pointer)
          .ptr(rows.pointer).ptr(dTable.pointer()).i32(cols).launch();
    }
  }

  /** Rotates x in place; sign −1 applies the transpose (the backward). */
  void rope(CudaTensor x, CudaTensor cos, CudaTensor sin, int headDim, float sign) {
    long pairs = x.size() / 2;
    if (pairs == 0) return;
    ws.kernel("rope", "rope_f32").call().grid(ws.gridFor(pairs)).block(Workspace.THREADS)
        .ptr(x.pointer()).ptr(cos.pointer()).ptr(sin.pointer()).i32(x.rows()).i32(x.cols())
        .i32(headDim).f32(sign).launch();
  }
}
