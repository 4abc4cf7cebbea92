package io.cream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cream.io.SafeTensorsReader;
import io.cream.rope.RopeSpec;
import io.cream.tools.HfParity;
import io.cream.util.Json;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What HfParity hands to scripts/hf_parity.py is right on the CPU: for every case, the dumped
 * logits (and the training step's loss) match the float64 reference model run on the checkpoint
 * as written, with the RoPE read back from its config.json.
 */
class HfParityDumpTest {
  @TempDir Path tmp;

  static Stream<HfParity.Case> cases() {
    return HfParity.cases().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void dumpedLogitsAndLossMatchTheFloat64Reference(HfParity.Case c) throws Exception {
    Path dir = tmp.resolve(c.name());
    HfParity.write(dir, c, List.of("cpu"));
    LlamaConfig config = LlamaConfig.read(dir.resolve("config.json"));
    RopeSpec read = RopeSpec.fromHfConfig(config.raw());
    assertEquals(c.rope().type(), read.type(), "rope type survives config.json");
    Map<String, double[]> weights = new LinkedHashMap<>();
    HfParity.randomWeights(config, 7, c.scale()).forEach((name, w) -> weights.put(name, toDouble(w)));
    ReferenceLlama64 ref = new ReferenceLlama64(config, weights, read.build());

    JsonNode meta = Json.read(dir.resolve("parity.json"));
    int[] tokens = ints(meta.get("tokens"));
    int[] positions = new int[tokens.length];
    for (int i = 0; i < positions.length; i++) positions[i] = i;
    double[][] want = ref.logits(1, tokens.length, tokens, positions);
    try (SafeTensorsReader ours = SafeTensorsReader.open(dir.resolve("ours.safetensors"))) {
      float[] got = ours.get("logits/cpu").toFloatArray();
      double err = relError(got, want);
      assertTrue(err <= 1e-5, c.name() + ": logits rel. error " + err);
      assertTrue(spread(want) > 1.0, "logits are far from uniform");
      if (c.step()) {
        JsonNode s = meta.get("step");
        int b = s.get("batch").asInt(), t = s.get("seq_len").asInt();
        int[] stepPositions = ints(s.get("positions"));
        assertTrue(max(stepPositions) >= HfParity.WINDOW, "CREAM ids reach past the window");
        double loss = ref.loss(b, t, ints(s.get("tokens")), stepPositions, ints(s.get("targets")));
        double lossErr = Math.abs(meta.get("loss").get("cpu").asDouble() - loss) / loss;
        assertTrue(lossErr <= 1e-6, "step loss rel. error " + lossErr);
        assertTrue(ours.names().stream().filter(n -> n.startsWith("grad/cpu/")).count()
            == ParamLayout.of(config).size(), "one gradient per parameter");
      }
    }
  }

  private static double relError(float[] got, double[][] want) {
    double num = 0, den = 0;
    int cols = want[0].length;
    for (int r = 0; r < want.length; r++) {
      for (int c = 0; c < cols; c++) {
        double d = got[r * cols + c] - want[r][c];
        num += d * d;
        den += want[r][c] * want[r][c];
      }
    }
    double e = Math.sqrt(num / den);
    return Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
  }

  private static double spread(double[][] rows) {
    double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
    for (double v : rows[rows.length - 1]) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi - lo;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }

  private static int max(int[] v) {
    int m = Integer.MIN_VALUE;
    for (int x : v) m = Math.max(m, x);
    return m;
  }

  private static double[] toDouble(float[] w) {
    double[] d = new double[w.length];
    for (int i = 0; i < w.length; i++) d[i] = w[i];
    return d;
  }
}
