package io.cream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cream.backend.Tensor;
import io.cream.backend.cuda.CudaBackend;
import io.cream.backend.cuda.Precision;
import io.cream.model.LlamaConfig;
import io.cream.model.ParamLayout;
import io.cream.model.WeightInit;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On a GPU: the optimizer state in pinned host memory (AdamW on the CPU, the passes' weights
 * copied back, bf16 matrices in bf16 mode) takes the same steps as on the device (the CUDA AdamW
 * kernels, bf16 copies refreshed after each step): bit-identical masters, moments and weights.
 */
@Tag("gpu")
class CudaOffloadStateTest {
  @ParameterizedTest
  @EnumSource(value = Precision.class, names = {"FP32", "BF16"})
  void hostAndDeviceStepsAreBitIdentical(Precision precision) {
    assumeTrue(CudaBackend.isAvailable(), () -> "no CUDA: " + CudaBackend.unavailableReason());
    LlamaConfig c = TrainStateTest.config(false);
    boolean copies = precision == Precision.BF16;
    try (CudaBackend gpu = new CudaBackend(0, precision);
        TrainState device = DeviceTrainState.create(c, gpu, WeightInit.values(c, 4), false, null, null, copies);
        TrainState host = HostTrainState.create(c, gpu, WeightInit.values(c, 4), true, null, null)) {
      for (int t = 1; t <= 3; t++) {
        List<Tensor> g1 = new java.util.ArrayList<>(), g2 = new java.util.ArrayList<>();
        java.util.SplittableRandom rng = new java.util.SplittableRandom(t);
        for (ParamLayout.Param p : ParamLayout.of(c)) {
          float[] g = new float[(int) p.size()];
          for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextGaussian(0, 0.05);
          g1.add(gpu.upload(g, p.rows(), p.cols()));
          g2.add(gpu.upload(g, p.rows(), p.cols()));
        }
        assertEquals(device.step(g1, TrainStateTest.ADAM, t, 0.05), host.step(g2, TrainStateTest.ADAM, t, 0.05), 0.0);
        for (ParamLayout.Param p : ParamLayout.of(c)) {
          assertArrayEquals(device.masters().of(p), host.masters().of(p), 0f, p.name());
          assertArrayEquals(device.moment(true).of(p), host.moment(true).of(p), 0f, "m." + p.name());
          assertArrayEquals(device.moment(false).of(p), host.moment(false).of(p), 0f, "v." + p.name());
          assertArrayEquals(gpu.download(device.weights().byName().get(p.name())),
              gpu.download(host.weights().byName().get(p.name())), 0f, "passes' " + p.name());
        }
      }
    }
  }
}
