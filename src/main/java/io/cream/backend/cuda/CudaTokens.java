package io.cream.backend.cuda;

/**
 * Per-token ops: the embedding lookup and its deterministic scatter-add backward (sort-free, on
 * the device), and RoPE with per-row cos/sin tables.
 */
final class CudaTokens {
  /** Blocks of the embedding backward per multiprocessor: 8 × 256 threads fill one SM. */
  private static final int GROUPS_PER_SM = 8;

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

  /**
   * dTable[ids[r]] += dOut[r] for every row r, on the device: the table rows are split into about
   * {@link #GROUPS_PER_SM} groups per multiprocessor (one wave of blocks), each block scanning the
   * id list for its own rows (see embedding.cu). Reads each dOut row once and each touched table
   * row once per hit; the ids are uploaded asynchronously, nothing waits for the device.
   */
  void embeddingBackward(CudaTensor dOut, int[] ids, CudaTensor dTable) {
    if (ids.length == 0) return;
    int vocab = dTable.rows();
    int groups = Math.max(1, Math.min(vocab, GROUPS_PER_SM * ws.ctx.multiprocessors));
    int rowsPerGroup = Workspace.ceilDiv(vocab, groups);
    try (Workspace.Scratch dIds = ws.upload(ids)) {
      ws.kernel("embedding", "embedding_bwd").call().grid(Workspace.ceilDiv(vocab, rowsPerGroup))
          .block(Workspace.THREADS).ptr(dOut.pointer()).ptr(dIds.pointer).i32(ids.length)
          .ptr(dTable.pointer()).i32(dTable.cols()).i32(rowsPerGroup).launch();
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
