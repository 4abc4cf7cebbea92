// Rotary position embedding in place, rotate-half layout, one thread per rotated pair. Each row r
// has its own cos/sin row (built in float64 on the host from any position ids). sign = −1 applies
// the transpose (the backward).
extern "C" __global__ void rope_f32(float* x, const float* cosT, const float* sinT, int rows,
                                    int cols, int headDim, float sign) {
  const int half = headDim >> 1;
  const int pairsPerRow = cols >> 1;
  const long long total = (long long)rows * pairsPerRow;
  GRID_LOOP(idx, total) {
    const long long r = idx / pairsPerRow;
    const int p = (int)(idx - r * pairsPerRow);
    const int head = p / half, i = p - head * half;
    const long long lo = r * cols + (long long)head * headDim + i, hi = lo + half;
    const float c = cosT[r * half + i], s = sign * sinT[r * half + i];
    const float a = x[lo], b = x[hi];
    x[lo] = a * c - b * s;
    x[hi] = b * c + a * s;
  }
}
