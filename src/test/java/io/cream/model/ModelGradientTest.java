package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cream.backend.CrossEntropyLoss;
import io.cream.backend.cpu.CpuBackend;
import io.cream.rope.RopeScaling;
import io.cream.rope.RopeSpec;
import io.cream.rope.RopeType;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The whole model's forward against a float64 reference, and its backward against central finite
 * differences of that reference: 2 layers, GQA, non-contiguous position ids far beyond the
 * sequence, YaRN scaling, batch of 2.
 */
class ModelGradientTest {

  @ParameterizedTest(name = "tied={0} bias={1} recompute={2} logitsRows={3}")
  @CsvSource({"false,false,false,12", "true,false,true,12", "false,true,false,12", "false,false,true,5", "true,false,false,1"})
  void backwardMatchesFiniteDifferences(boolean tied, boolean bias, boolean recompute, int logitsRows) {
    LlamaConfig c = TinyModels.config(13, tied, bias, 0.35);
    RopeScaling rope = RopeSpec.of(RopeType.YARN, c.headDim(), 10000, 4, 8).build();
    int batch = 2, seqLen = 6;
    SplittableRandom rng = new SplittableRandom(7);
    int[] tokens = new int[batch * seqLen];
    for (int i = 0; i < tokens.length; i++) tokens[i] = rng.nextInt(c.vocabSize());
    // CREAM-like ids: a head, a jump into the middle, a tail at the end of a 4× window.
    int[] pos = {0, 1, 9, 10, 11, 31, 0, 1, 2, 17, 18, 31};
    int[] targets = TrainBatch.nextTokenTargets(tokens, batch, seqLen);
    TrainBatch data = new TrainBatch(batch, seqLen, tokens, pos, targets);

    try (CpuBackend b = new CpuBackend();
        LlamaModel model = new LlamaModel(c, b, WeightInit.random(c, b, 3), rope);
        LlamaWeights grads = LlamaWeights.zeros(c, b);
        TrainingPass pass = new TrainingPass(model, grads, batch, seqLen, recompute, logitsRows)) {
      // Biases start at zero; give them values so their gradients are exercised too.
      if (bias) {
        for (var e : model.weights().byName().entrySet()) {
          if (!e.getKey().endsWith(".bias")) continue;
          float[] v = new float[(int) e.getValue().size()];
          for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian(0, 0.3);
          b.write(e.getValue(), v);
        }
      }
      Map<String, double[]> w64 = new LinkedHashMap<>();
      model.weights().byName().forEach((name, t) -> w64.put(name, toDouble(b.download(t))));
      ReferenceLlama64 ref = new ReferenceLlama64(c, w64, rope);

      double refLoss = ref.loss(batch, seqLen, tokens, pos, targets);
      CrossEntropyLoss loss = pass.forwardBackward(data, 1f);
      assertEquals(refLoss, loss.sum(), 1e-5 * Math.abs(refLoss), "forward loss");
      assertEquals(batch * (seqLen - 1), loss.count());

      double num = 0, den = 0;
      double h = 1e-6;
      for (var e : w64.entrySet()) {
        double[] wv = e.getValue();
        float[] g = b.download(grads.byName().get(e.getKey()));
        for (int i = 0; i < wv.length; i++) {
          double keep = wv[i];
          wv[i] = keep + h;
          double up = ref.loss(batch, seqLen, tokens, pos, targets);
          wv[i] = keep - h;
          double down = ref.loss(batch, seqLen, tokens, pos, targets);
          wv[i] = keep;
          double fd = (up - down) / (2 * h);
          num += (g[i] - fd) * (g[i] - fd);
          den += fd * fd;
        }
      }
      double rel = Math.sqrt(num / den);
      // float32 activations and sums against an exact float64 derivative: ~1e-6 expected.
      assertTrue(rel < 1e-4, "gradient relative error " + rel);
      assertTrue(den > 1e-6, "gradients must not vanish for the check to mean anything");
    }
  }

  static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) d[i] = f[i];
    return d;
  }
}
