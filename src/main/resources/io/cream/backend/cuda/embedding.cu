// Token embedding: a row gather, and its backward as a deterministic scatter-add. The host
// groups the rows by id (ids sorted, each id's rows in row order), so one thread owns one
// (id, column) and adds that id's rows in row order: no atomics, no races, same sums as the CPU.

extern "C" __global__ void embedding_fwd(const float* table, const int* ids, float* out,
                                         int cols) {
  const long long src = (long long)ids[blockIdx.x] * cols;
  const long long dst = (long long)blockIdx.x * cols;
  for (int c = threadIdx.x; c < cols; c += blockDim.x) out[dst + c] = table[src + c];
}

// grid (unique ids, column blocks); rows of id u are rowList[starts[u] .. starts[u+1]).
extern "C" __global__ void embedding_bwd(const float* dout, const int* uniqueIds,
                                         const int* starts, const int* rowList, float* dtable,
                                         int cols) {
  const int c = blockIdx.y * blockDim.x + threadIdx.x;
  if (c >= cols) return;
  const int u = blockIdx.x;
  const long long t = (long long)uniqueIds[u] * cols + c;
  float acc = dtable[t];
  for (int k = starts[u]; k < starts[u + 1]; k++) acc += dout[(long long)rowList[k] * cols + c];
  dtable[t] = acc;
}
