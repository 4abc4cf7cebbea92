package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cream.backend.AdamWConfig;
import io.cream.backend.Tensor;
import io.cream.backend.cpu.CpuBackend;
import io.cream.compare.CompareFixtures;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamLayout;
import io.cream.model.WeightInit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The optimizer step wherever its state lives: in host memory ({@link HostTrainState}) it gives
 * the same bits as on the device ({@link DeviceTrainState}), with and without clipping; bf16
 * copies (here float32 copies: the CPU has no bf16) follow their masters after every step.
 */
class TrainStateTest {
  static LlamaConfig config(boolean tied) {
    ObjectNode j = CompareFixtures.tinyConfig();
    j.put("vocab_size", 97).put("tie_word_embeddings", tied);
    return LlamaConfig.fromJson(j);
  }

  static final AdamWConfig ADAM = new AdamWConfig(3e-3f, 0.9f, 0.95f, 1e-8f, 0.1f);

  /** The same random gradients, twice (the device step may scale its copy in place). */
  static List<List<Tensor>> gradients(CpuBackend b, LlamaConfig c, long seed, boolean nan) {
    SplittableRandom rng = new SplittableRandom(seed);
    List<Tensor> x = new ArrayList<>(), y = new ArrayList<>();
    for (ParamLayout.Param p : ParamLayout.of(c)) {
      float[] g = new float[(int) p.size()];
      for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextGaussian(0, 0.05);
      if (nan) g[g.length / 2] = Float.NaN;
      x.add(b.upload(g, p.rows(), p.cols()));
      y.add(b.upload(g, p.rows(), p.cols()));
    }
    return List.of(x, y);
  }

  static void assertSameTensors(CpuBackend b, List<Tensor> a, List<Tensor> c) {
    assertEquals(a.size(), c.size());
    for (int i = 0; i < a.size(); i++) assertArrayEquals(b.download(a.get(i)), b.download(c.get(i)), 0f, "tensor " + i);
  }

  static void assertSameValues(LlamaConfig c, TrainState x, TrainState y) {
    for (ParamLayout.Param p : ParamLayout.of(c)) {
      assertArrayEquals(x.masters().of(p), y.masters().of(p), 0f, p.name());
      assertArrayEquals(x.moment(true).of(p), y.moment(true).of(p), 0f, "m." + p.name());
      assertArrayEquals(x.moment(false).of(p), y.moment(false).of(p), 0f, "v." + p.name());
    }
  }

  @ParameterizedTest(name = "clip {0}")
  @ValueSource(doubles = {0, 0.05, 1e9})
  void theHostStepGivesTheDevicesBits(double clip) {
    LlamaConfig c = config(false);
    try (CpuBackend b = new CpuBackend();
        TrainState device = DeviceTrainState.create(c, b, WeightInit.values(c, 4), false, null, null, false);
        TrainState host = HostTrainState.create(c, b, WeightInit.values(c, 4), true, null, null)) {
      assertSameTensors(b, device.weights().all(), host.weights().all());
      for (int t = 1; t <= 3; t++) {
        List<List<Tensor>> g = gradients(b, c, t, false);
        double n1 = device.step(g.get(0), ADAM, t, clip), n2 = host.step(g.get(1), ADAM, t, clip);
        assertEquals(n1, n2, 0.0);
        if (clip == 0.05) assertTrue(n1 > clip, "the step clips");
        assertSameTensors(b, device.weights().all(), host.weights().all());
        assertSameValues(c, device, host);
        assertEquals(device.digest(), host.digest(), 1e-12 * device.digest());
      }
    }
  }

  @Test
  void aNonFiniteNormChangesNothing() {
    LlamaConfig c = config(true);
    try (CpuBackend b = new CpuBackend();
        TrainState host = HostTrainState.create(c, b, WeightInit.values(c, 4), false, null, null);
        TrainState fresh = HostTrainState.create(c, b, WeightInit.values(c, 4), false, null, null)) {
      host.step(gradients(b, c, 1, false).get(0), ADAM, 1, 1.0);
      fresh.step(gradients(b, c, 1, false).get(0), ADAM, 1, 1.0);
      assertTrue(Double.isNaN(host.step(gradients(b, c, 2, true).get(0), ADAM, 2, 1.0)));
      assertSameValues(c, host, fresh);
      assertSameTensors(b, host.weights().all(), fresh.weights().all());
    }
  }

  @Test
  void copiesFollowTheirMastersAndChangeNoNumber() {
    LlamaConfig c = config(false);
    try (CpuBackend b = new CpuBackend();
        DeviceTrainState plain = DeviceTrainState.create(c, b, WeightInit.values(c, 4), false, null, null, false);
        DeviceTrainState copied = DeviceTrainState.create(c, b, WeightInit.values(c, 4), false, null, null, true)) {
      var masters = plain.weights().byName();
      var passes = copied.weights().byName();
      for (ParamLayout.Param p : ParamLayout.of(c)) {
        if (TrainState.matrix(p)) assertNotSame(passes.get(p.name()), masters.get(p.name()), p.name());
      }
      org.junit.jupiter.api.Assertions.assertSame(copied.weights().embed(), copied.weights().byName().get(ParamLayout.EMBED));
      for (int t = 1; t <= 2; t++) {
        List<List<Tensor>> g = gradients(b, c, t, false);
        assertEquals(plain.step(g.get(0), ADAM, t, 1.0), copied.step(g.get(1), ADAM, t, 1.0), 0.0);
        assertSameTensors(b, plain.weights().all(), copied.weights().all()); // the copies hold the new masters
        assertSameValues(c, plain, copied);
      }
    }
  }

  @Test
  void savedMomentsComeBack() {
    LlamaConfig c = config(true);
    try (CpuBackend b = new CpuBackend();
        TrainState a = HostTrainState.create(c, b, WeightInit.values(c, 4), false, null, null)) {
      a.step(gradients(b, c, 1, false).get(0), ADAM, 1, 1.0);
      try (TrainState host = HostTrainState.create(c, b, a.masters(), false, a.moment(true), a.moment(false));
          TrainState device = DeviceTrainState.create(c, b, a.masters(), false, a.moment(true), a.moment(false), false)) {
        assertSameValues(c, a, host);
        assertSameValues(c, a, device);
        assertSameTensors(b, a.weights().all(), host.weights().all());
      }
    }
  }
}
