package io.cream.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cream.backend.TestData;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Grouping of rows by id for the deterministic embedding backward. */
class EmbeddingGroupsTest {
  @Test
  void smallExample() {
    EmbeddingGroups g = EmbeddingGroups.of(new int[] {7, 2, 7, 0, 2, 7});
    assertArrayEquals(new int[] {0, 2, 7}, g.uniqueIds());
    assertArrayEquals(new int[] {0, 1, 3, 6}, g.starts());
    assertArrayEquals(new int[] {3, 1, 4, 0, 2, 5}, g.rowList());
  }

  @Test
  void matchesAMapOfRowListsOnRandomIds() {
    int[] ids = TestData.ids(11, 5000, 300);
    TreeMap<Integer, List<Integer>> want = new TreeMap<>();
    for (int r = 0; r < ids.length; r++) want.computeIfAbsent(ids[r], k -> new ArrayList<>()).add(r);
    EmbeddingGroups g = EmbeddingGroups.of(ids);
    assertEquals(want.size(), g.uniqueIds().length);
    int u = 0;
    for (var e : want.entrySet()) {
      assertEquals(e.getKey(), g.uniqueIds()[u]);
      List<Integer> rows = new ArrayList<>();
      for (int k = g.starts()[u]; k < g.starts()[u + 1]; k++) rows.add(g.rowList()[k]);
      assertEquals(e.getValue(), rows, "rows of id " + e.getKey() + " in row order");
      u++;
    }
    assertEquals(ids.length, g.starts()[u]);
  }

  @Test
  void emptyIds() {
    EmbeddingGroups g = EmbeddingGroups.of(new int[0]);
    assertEquals(0, g.uniqueIds().length);
    assertArrayEquals(new int[] {0}, g.starts());
  }
}
