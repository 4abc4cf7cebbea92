package io.cream.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.cream.backend.AdamWConfig;
import io.cream.backend.HostFloats;
import io.cream.backend.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * AdamW in host memory takes the CPU backend's steps bit for bit (after the backend's scale by the
 * clip factor), for sizes that leave vector tails and span several parallel chunks.
 */
class HostAdamWTest {
  @ParameterizedTest(name = "n={0} scale={1}")
  @CsvSource({"1,1", "7,0.37", "16,1", "1000,0.5", "70001,0.123", "200003,1"})
  void matchesTheBackendsAdamW(int n, float scale) {
    SplittableRandom rng = new SplittableRandom(n);
    float[] p = new float[n], g = new float[n], m = new float[n], v = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = (float) rng.nextGaussian();
      g[i] = (float) rng.nextGaussian(0, 0.1);
      m[i] = (float) rng.nextGaussian(0, 0.01);
      v[i] = (float) Math.abs(rng.nextGaussian(0, 1e-4));
    }
    AdamWConfig cfg = new AdamWConfig(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f);
    try (CpuBackend b = new CpuBackend();
        HostFloats hp = HostFloats.allocate(n); HostFloats hm = HostFloats.allocate(n);
        HostFloats hv = HostFloats.allocate(n); HostFloats hg = HostFloats.allocate(n + 5);
        HostFloats out = HostFloats.allocate(n)) {
      hp.write(0, p);
      hm.write(0, m);
      hv.write(0, v);
      hg.write(0, g);
      Tensor tp = b.upload(p, 1, n), tg = b.upload(g, 1, n), tm = b.upload(m, 1, n), tv = b.upload(v, 1, n);
      for (long t = 1; t <= 3; t++) {
        if (scale != 1f) b.scale(tg, scale);
        b.adamW(tp, tg, tm, tv, cfg, t);
        HostAdamW.step(hp, hm, hv, hg, out, n, cfg, t, scale);
        b.write(tg, g);
        assertArrayEquals(b.download(tp), hp.read(0, n), 0f, "p at t=" + t);
        assertArrayEquals(b.download(tm), hm.read(0, n), 0f, "m at t=" + t);
        assertArrayEquals(b.download(tv), hv.read(0, n), 0f, "v at t=" + t);
        assertArrayEquals(hp.read(0, n), out.read(0, n), 0f, "out at t=" + t);
      }
    }
  }
}
