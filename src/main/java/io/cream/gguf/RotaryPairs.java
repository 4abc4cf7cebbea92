package io.cream.gguf;

/**
 * Reorders q_proj and k_proj rows for llama.cpp's Llama graph. cream (like Hugging Face) rotates
 * the pairs (x[i], x[i + d/2]) of each head ("rotate half"); llama.cpp's LLAMA architecture
 * rotates adjacent pairs (x[2i], x[2i+1]). Moving output row h·d + i to h·d + 2i and row
 * h·d + d/2 + i to h·d + 2i + 1 makes llama.cpp rotate the same numbers with the same angle i.
 * Attention only compares q with k inside a head, and both get the same order, so the scores do
 * not change; v and o_proj keep their order.
 */
public final class RotaryPairs {
  private RotaryPairs() {}

  /**
   * The weight [heads·headDim rows × cols] (row-major) with each head's rows in adjacent-pair
   * order; a new array.
   */
  public static float[] toAdjacent(float[] weight, int heads, int headDim, int cols) {
    if ((long) heads * headDim * cols != weight.length)
      throw new IllegalArgumentException(heads + " heads × " + headDim + " × " + cols + " != " + weight.length + " values");
    if (headDim % 2 != 0) throw new IllegalArgumentException("head dim " + headDim + " is odd");
    int half = headDim / 2;
    float[] out = new float[weight.length];
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < half; i++) {
        int head = h * headDim;
        System.arraycopy(weight, (head + i) * cols, out, (head + 2 * i) * cols, cols);
        System.arraycopy(weight, (head + half + i) * cols, out, (head + 2 * i + 1) * cols, cols);
      }
    }
    return out;
  }
}
