package io.cream.backend.cpu;

import java.util.Random;

/**
 * Run in a child JVM by {@link GemmTest} with {@code -Dcream.gemm.species=...}: checks random
 * shapes against the float64 reference and exits 1 on any failure.
 */
public final class GemmSpeciesProbe {
  private GemmSpeciesProbe() {}

  public static void main(String[] args) {
    Random rnd = new Random(71);
    int[] sizes = {1, 3, 5, 8, 9, 16, 17, 33, 70};
    double worst = 0;
    int cases = 0;
    for (int trial = 0; trial < 120; trial++) {
      int m = sizes[rnd.nextInt(sizes.length)];
      int n = sizes[rnd.nextInt(sizes.length)];
      int k = sizes[rnd.nextInt(sizes.length)];
      GemmCase cs = GemmCase.random(rnd, (trial & 1) != 0, (trial & 2) != 0, m, n, k,
          (trial & 4) != 0, true);
      float[] out = cs.run(2);
      double err = cs.relativeError(out, cs.reference());
      if (!(err <= 1e-5) || !cs.outsideUntouched(out)) {
        System.out.println("FAIL " + cs + " error " + err);
        System.exit(1);
      }
      worst = Math.max(worst, err);
      cases++;
    }
    System.out.println("lanes=" + GemmKernel.LANES + " cases=" + cases + " worst=" + worst);
  }
}
