package io.cream.positions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** SampleStream: the one definition of sample i of a run, per sample and per batch. */
class SampleStreamTest {
  private static final PositionSampler CREAM = PositionSampler.create(PositionMethod.CREAM, 512, 8, 3.0);

  @Test
  void perSampleIsTheSamplersDrawFromTheSamplesOwnStream() {
    for (PositionMethod m : PositionMethod.values()) {
      PositionSampler sampler = PositionSampler.create(m, 256, 8, 3.0);
      SampleStream stream = new SampleStream(sampler, BranchMode.PER_SAMPLE, 3000, 42);
      for (long i = 0; i < 30; i++) {
        assertEquals(sampler.sample(PositionSampler.rngFor(42, i)), stream.draw(i).sample(), m + " sample " + i);
      }
    }
  }

  @Test
  void perBatchSharesOneBranchPerBatchAndAnySampleCanBeMadeAlone() {
    SampleStream stream = new SampleStream(CREAM, BranchMode.PER_BATCH, 50, 9);
    int[] batches = new int[2];
    for (long k = 0; k < 40; k++) {
      int branch = stream.branchOfBatch(k);
      batches[branch]++;
      for (long i = k * 50; i < k * 50 + 50; i++) assertEquals(branch, (int) stream.draw(i).sample().branch(), "sample " + i);
    }
    assertTrue(batches[0] > 0 && batches[1] > 0, "both branches over 40 batches");
    // Random access: a fresh stream gives sample 1234 without drawing the rest of its batch.
    assertEquals(stream.draw(1234).sample(), new SampleStream(CREAM, BranchMode.PER_BATCH, 50, 9).draw(1234).sample());
  }

  @Test
  void perSampleMixesBranchesAndOtherMethodsIgnoreTheMode() {
    SampleStream mixed = new SampleStream(CREAM, BranchMode.PER_SAMPLE, 50, 4);
    long ones = java.util.stream.LongStream.range(0, 50).filter(i -> mixed.draw(i).sample().branch() == 1).count();
    assertTrue(ones > 0 && ones < 50, "per-sample should mix branches, got " + ones + " of 50");
    PositionSampler pose = PositionSampler.create(PositionMethod.POSE, 256, 8, 3.0);
    assertEquals(new SampleStream(pose, BranchMode.PER_SAMPLE, 50, 4).draw(7).sample(),
        new SampleStream(pose, BranchMode.PER_BATCH, 50, 4).draw(7).sample());
    assertNotEquals(mixed.draw(7).sample(), new SampleStream(CREAM, BranchMode.PER_SAMPLE, 50, 5).draw(7).sample());
  }

  @Test
  void theDrawsStreamContinuesAfterTheIds() {
    PositionSampler pose = PositionSampler.create(PositionMethod.POSE, 64, 4, 3.0);
    SampleStream stream = new SampleStream(pose, BranchMode.PER_SAMPLE, 10, 1);
    var rng = PositionSampler.rngFor(1, 3);
    PositionSample s = pose.sample(rng);
    SampleStream.Draw d = stream.draw(3);
    assertEquals(s, d.sample());
    assertEquals(rng.nextLong(), d.rng().nextLong(), "token selection continues the sample's stream");
  }
}
