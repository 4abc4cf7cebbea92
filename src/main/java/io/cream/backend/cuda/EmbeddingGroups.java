package io.cream.backend.cuda;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The rows of an id list grouped by id, for a scatter-add without atomics: the distinct ids in
 * increasing order, and for the u-th of them the rows rowList[starts[u] .. starts[u+1]) in row
 * order (so each table row receives its gradients in the same order as on the CPU).
 */
record EmbeddingGroups(int[] uniqueIds, int[] starts, int[] rowList) {

  static EmbeddingGroups of(int[] ids) {
    int n = ids.length;
    Integer[] boxed = new Integer[n];
    for (int i = 0; i < n; i++) boxed[i] = i;
    // A stable sort by id: the rows of one id stay in row order.
    Arrays.sort(boxed, Comparator.comparingInt(r -> ids[r]));
    int[] order = new int[n];
    int unique = 0;
    for (int i = 0; i < n; i++) {
      order[i] = boxed[i];
      if (i == 0 || ids[order[i]] != ids[order[i - 1]]) unique++;
    }
    int[] uniqueIds = new int[unique];
    int[] starts = new int[unique + 1];
    int u = -1;
    for (int i = 0; i < n; i++) {
      if (i == 0 || ids[order[i]] != ids[order[i - 1]]) {
        uniqueIds[++u] = ids[order[i]];
        starts[u] = i;
      }
    }
    starts[unique] = n;
    return new EmbeddingGroups(uniqueIds, starts, order);
  }
}
