package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The partition rule: W ranks with A micro-batches each see what one process sees with A·W. */
class MicroBatchPlanTest {
  @Test
  void unionOverRanksIsTheOneProcessBatchList() {
    SplittableRandom rng = new SplittableRandom(17);
    for (int trial = 0; trial < 40; trial++) {
      int perRank = 1 + rng.nextInt(5);
      int world = 1 + rng.nextInt(8);
      long step = rng.nextLong(1_000_000);
      long[] single = new MicroBatchPlan(perRank * world, 0, 1).indices(step);
      List<Long> union = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        long[] mine = new MicroBatchPlan(perRank, r, world).indices(step);
        assertEquals(perRank, mine.length);
        for (int a = 0; a < mine.length; a++) {
          assertEquals(r, Math.floorMod(mine[a], world), "index ≡ rank (mod world)");
          if (a > 0) assertTrue(mine[a] > mine[a - 1], "increasing");
          union.add(mine[a]);
        }
      }
      assertEquals(union.size(), new TreeSet<>(union).size(), "no micro-batch on two ranks");
      long[] sorted = union.stream().mapToLong(Long::longValue).sorted().toArray();
      assertArrayEquals(single, sorted, "perRank " + perRank + " world " + world + " step " + step);
    }
  }

  @Test
  void oneProcessKeepsTheNumberingOfEarlierRuns() {
    // step·gradAccum + a: a run resumed from a checkpoint of an older version sees the same samples.
    assertArrayEquals(new long[] {21, 22, 23}, new MicroBatchPlan(3, 0, 1).indices(7));
    assertArrayEquals(new long[] {29, 31}, new MicroBatchPlan(2, 1, 2).indices(7));
    assertEquals(12, new MicroBatchPlan(3, 2, 4).perStep());
  }

  @Test
  void consecutiveStepsTileTheMicroBatchNumbers() {
    int perRank = 3, world = 4;
    List<Long> seen = new ArrayList<>();
    for (long step = 0; step < 5; step++) {
      for (int r = 0; r < world; r++) {
        for (long i : new MicroBatchPlan(perRank, r, world).indices(step)) seen.add(i);
      }
    }
    assertEquals(60, new TreeSet<>(seen).size());
    assertEquals(0L, new TreeSet<>(seen).first());
    assertEquals(59L, new TreeSet<>(seen).last());
  }

  @Test
  void rejectsImpossiblePlans() {
    assertThrows(IllegalArgumentException.class, () -> new MicroBatchPlan(0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new MicroBatchPlan(1, 2, 2));
    assertThrows(IllegalArgumentException.class, () -> new MicroBatchPlan(1, -1, 2));
    assertThrows(IllegalArgumentException.class, () -> new MicroBatchPlan(1, 0, 0));
  }
}
